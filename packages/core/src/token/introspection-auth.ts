/**
 * How nevertrust authenticates to an introspection endpoint (RFC 7662 §2.1 requires it, I-2), one of the
 * methods of the IANA "OAuth Token Endpoint Authentication Methods" registry:
 * - `client_secret_basic` (RFC 6749 §2.3.1): id and secret in an HTTP Basic header;
 * - `private_key_jwt` (RFC 7523 §2.2): a fresh signed client assertion in the form body;
 * - `tls_client_auth` / `self_signed_tls_client_auth` (RFC 8705 §2): the TLS client certificate is the
 *   credential; the body names the client (`client_id`, §2).
 * The key material is read and checked once, at start-up; nothing of it is ever logged or echoed.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import {
  type AssertionSigner,
  assertionSigner,
  clientAssertion,
  type PrivateKeyInput,
} from './client-assertion.js';

/** The client authentication methods nevertrust can use at an introspection endpoint. */
export const CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
] as const;

/** One of {@link CLIENT_AUTH_METHODS}. */
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** The credential options of `introspection`, as configured. */
export interface ClientAuthInput {
  readonly clientAuth?: ClientAuthMethod | undefined;
  readonly clientSecret?: string | undefined;
  readonly privateKey?: PrivateKeyInput | undefined;
  readonly privateKeyAlg?: string | undefined;
  readonly assertionAudience?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | KeyObject | undefined;
}

/** A checked credential. */
export type ClientAuth =
  | { readonly method: 'client_secret_basic'; readonly clientSecret: string }
  | {
      readonly method: 'private_key_jwt';
      readonly signer: AssertionSigner;
      /** `aud` of the assertions; undefined: the issuer identifier. */
      readonly audience: string | undefined;
    }
  | {
      readonly method: 'tls_client_auth' | 'self_signed_tls_client_auth';
      readonly cert: string;
      /** PEM (PKCS #8): the form Node's TLS takes. */
      readonly key: string;
    };

// Which options each method needs; the others must be absent, so a half-switched configuration fails.
const NEEDS: Readonly<Record<ClientAuthMethod, readonly (keyof ClientAuthInput)[]>> = {
  client_secret_basic: ['clientSecret'],
  private_key_jwt: ['privateKey'],
  tls_client_auth: ['tlsCert', 'tlsKey'],
  self_signed_tls_client_auth: ['tlsCert', 'tlsKey'],
};
const OPTIONAL: Readonly<Record<ClientAuthMethod, readonly (keyof ClientAuthInput)[]>> = {
  client_secret_basic: [],
  private_key_jwt: ['privateKeyAlg', 'assertionAudience'],
  tls_client_auth: [],
  self_signed_tls_client_auth: [],
};
const CREDENTIALS = [
  'clientSecret',
  'privateKey',
  'privateKeyAlg',
  'assertionAudience',
  'tlsCert',
  'tlsKey',
] as const;

function tlsProblem(cert: string, key: string | KeyObject): [string, string] | undefined {
  let certificate: X509Certificate;
  let privateKey: KeyObject;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    return ['tlsCert', 'expected a PEM certificate'];
  }
  try {
    privateKey = typeof key === 'string' ? createPrivateKey(key) : key;
  } catch {
    return ['tlsKey', 'expected a PEM private key or a private KeyObject'];
  }
  if (privateKey.type !== 'private' || !certificate.checkPrivateKey(privateKey)) {
    return ['tlsKey', 'expected the private key of tlsCert'];
  }
  return undefined;
}

/**
 * The problems of the credential options, each naming the option (`[path, message]`); never the value.
 *
 * @example
 * ```ts
 * clientAuthProblems({ clientAuth: 'private_key_jwt' }); // [['privateKey', 'required by clientAuth private_key_jwt']]
 * ```
 */
export function clientAuthProblems(input: ClientAuthInput): [string, string][] {
  const method = input.clientAuth ?? 'client_secret_basic';
  const problems: [string, string][] = [];
  for (const name of NEEDS[method]) {
    if (input[name] === undefined) problems.push([name, `required by clientAuth ${method}`]);
  }
  for (const name of CREDENTIALS) {
    const allowed = NEEDS[method].includes(name) || OPTIONAL[method].includes(name);
    if (!allowed && input[name] !== undefined) problems.push([name, `not used by clientAuth ${method}`]);
  }
  if (problems.length > 0) return problems;
  if (method === 'private_key_jwt') {
    const signer = assertionSigner(input.privateKey as PrivateKeyInput, input.privateKeyAlg);
    if (typeof signer === 'string') problems.push(['privateKey', signer]);
  }
  if (method === 'tls_client_auth' || method === 'self_signed_tls_client_auth') {
    const problem = tlsProblem(input.tlsCert as string, input.tlsKey as string | KeyObject);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Reads validated credential options (see {@link clientAuthProblems}).
 *
 * @example
 * ```ts
 * resolveClientAuth({ clientSecret: 's' }); // { method: 'client_secret_basic', clientSecret: 's' }
 * ```
 */
export function resolveClientAuth(input: ClientAuthInput): ClientAuth {
  const method = input.clientAuth ?? 'client_secret_basic';
  if (method === 'client_secret_basic') return { method, clientSecret: input.clientSecret as string };
  if (method === 'private_key_jwt') {
    const signer = assertionSigner(input.privateKey as PrivateKeyInput, input.privateKeyAlg);
    if (typeof signer === 'string') throw new TypeError(`privateKey: ${signer}`);
    return { method, signer, audience: input.assertionAudience };
  }
  const key = typeof input.tlsKey === 'string' ? createPrivateKey(input.tlsKey) : (input.tlsKey as KeyObject);
  return {
    method,
    cert: input.tlsCert as string,
    key: key.export({ format: 'pem', type: 'pkcs8' }) as string,
  };
}

// RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined and base64-encoded.
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * The header and form parameters that authenticate one call; a client assertion is made fresh per call
 * (its `jti` must be unique).
 *
 * @example
 * ```ts
 * const { headers, params } = authenticate(auth, 'api', 'https://idp.example.com', Date.now() / 1000);
 * ```
 */
export function authenticate(
  auth: ClientAuth,
  clientId: string,
  issuer: string,
  nowSeconds: number,
): { headers: Record<string, string>; params: Record<string, string> } {
  switch (auth.method) {
    case 'client_secret_basic': {
      const pair = `${formEncode(clientId)}:${formEncode(auth.clientSecret)}`;
      return { headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` }, params: {} };
    }
    case 'private_key_jwt':
      return {
        headers: {},
        params: {
          client_id: clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: clientAssertion(auth.signer, clientId, auth.audience ?? issuer, nowSeconds),
        },
      };
    default:
      return { headers: {}, params: { client_id: clientId } };
  }
}
