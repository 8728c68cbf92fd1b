/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed with the
 * API's own private key stands in for a client secret, so no shared secret is stored at the provider.
 * `iss` and `sub` are the client id, `aud` the provider (its issuer identifier by default, which
 * draft-ietf-oauth-rfc7523bis recommends as the one unambiguous audience), a fresh `jti` on every call
 * so the provider can refuse a replay, and a short `exp`.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, KeyObject, randomUUID } from 'node:crypto';
import { ASYMMETRIC_ALGORITHMS, keyProblem, type SignatureAlgorithm, signData } from './algorithms.js';

/** A private key as configured: a `KeyObject`, a PEM string or a private JWK. */
export type PrivateKeyInput = KeyObject | string | JsonWebKey;

/** The key and algorithm client assertions are signed with. */
export interface AssertionSigner {
  readonly key: KeyObject;
  readonly alg: SignatureAlgorithm;
}

/** The assertion lifetime: long enough for one call, short enough that a leaked one is soon useless. */
const ASSERTION_TTL_SECONDS = 60;

const CURVE_ALG: Readonly<Record<string, SignatureAlgorithm>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

function defaultAlg(key: KeyObject): SignatureAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return key.asymmetricKeyType === 'ec' && curve !== undefined ? CURVE_ALG[curve] : undefined;
}

/**
 * Reads the configured key and picks its algorithm (`alg` when given, else RS256 for RSA, ES256/384/512 by
 * curve, EdDSA for Ed25519). Returns a problem — never naming the key material — when it cannot be used.
 *
 * @example
 * ```ts
 * const signer = assertionSigner(privatePem); // { key, alg: 'ES256' }
 * ```
 */
export function assertionSigner(input: PrivateKeyInput, alg?: string): AssertionSigner | string {
  let key: KeyObject;
  try {
    if (typeof input === 'string') key = createPrivateKey(input);
    else if (input instanceof KeyObject) key = input;
    else key = createPrivateKey({ key: input, format: 'jwk' });
  } catch {
    return 'expected a private key: a KeyObject, a PEM string or a private JWK';
  }
  if (key.type !== 'private') return 'expected a private key, not a public or secret one';
  const chosen = alg ?? defaultAlg(key);
  if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(chosen ?? '')) {
    return `expected an asymmetric JWS algorithm for this key (${ASYMMETRIC_ALGORITHMS.join(', ')})`;
  }
  const problem = keyProblem(chosen as SignatureAlgorithm, createPublicKey(key));
  return problem ?? { key, alg: chosen as SignatureAlgorithm };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Creates one client assertion.
 *
 * @example
 * ```ts
 * const assertion = clientAssertion(signer, 'api', 'https://idp.example.com', Date.now() / 1000);
 * ```
 */
export function clientAssertion(
  signer: AssertionSigner,
  clientId: string,
  audience: string,
  nowSeconds: number,
): string {
  const iat = Math.floor(nowSeconds);
  const header = base64url({ alg: signer.alg, typ: 'JWT' });
  const payload = base64url({
    iss: clientId,
    sub: clientId,
    aud: audience,
    jti: randomUUID(),
    iat,
    exp: iat + ASSERTION_TTL_SECONDS,
  });
  const signingInput = `${header}.${payload}`;
  const signature = signData(signer.alg, signer.key, Buffer.from(signingInput, 'latin1'));
  return `${signingInput}.${signature.toString('base64url')}`;
}
