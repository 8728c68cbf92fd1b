/**
 * How the test introspection endpoint authenticates its caller, as an authorization server would
 * (RFC 7662 §2.1): `client_secret_basic` (RFC 6749 §2.3.1), `private_key_jwt` (RFC 7523 §3, verified with
 * jose — an implementation independent of the core's — with `jti` replay refused), or the TLS client
 * certificate (RFC 8705 §2: `tls_client_auth` by the CA-verified chain and subject, or
 * `self_signed_tls_client_auth` by the pinned certificate).
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { jwtVerify } from 'jose';

/** The credentials the server accepts for its one client. */
export interface IntrospectionClientAuth {
  readonly clientId: string;
  /** `client_secret_basic`. */
  readonly clientSecret?: string;
  /** `private_key_jwt`: the client's public key, and the `aud` values accepted (default: the issuer). */
  readonly assertionKey?: KeyObject;
  readonly assertionAudiences?: readonly string[];
  /** `tls_client_auth`: the subject (`CN=…`) the CA-verified client certificate must carry. */
  readonly tlsSubject?: string;
  /** `self_signed_tls_client_auth`: the PEM certificate the client must present. */
  readonly selfSignedCert?: string;
}

/** Which method authenticated a request, or why none did. */
export type AuthResult = { readonly method: string } | { readonly refused: string };

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Creates the authentication check of a server.
 *
 * @example
 * ```ts
 * const check = createClientCheck({ clientId: 'api', clientSecret: 's' }, 'https://idp.test/');
 * const result = await check(request, form);
 * ```
 */
export function createClientCheck(
  settings: IntrospectionClientAuth,
  issuer: string,
): (request: IncomingMessage, form: URLSearchParams) => Promise<AuthResult> {
  const seenJti = new Set<string>();
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  const basic = (header: string | undefined): AuthResult | undefined => {
    if (!header?.startsWith('Basic ')) return undefined;
    const [id, secret, extra] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    if (id === undefined || secret === undefined || extra !== undefined) return { refused: 'bad basic' };
    const ok = decode(id) === settings.clientId && decode(secret) === settings.clientSecret;
    return ok && settings.clientSecret !== undefined
      ? { method: 'client_secret_basic' }
      : { refused: 'bad secret' };
  };
  const assertion = async (form: URLSearchParams): Promise<AuthResult> => {
    if (settings.assertionKey === undefined) return { refused: 'no assertion key registered' };
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return { refused: 'bad assertion type' };
    try {
      const { payload } = await jwtVerify(form.get('client_assertion') ?? '', settings.assertionKey, {
        issuer: settings.clientId,
        subject: settings.clientId,
        audience: [...(settings.assertionAudiences ?? [issuer])],
        requiredClaims: ['exp', 'jti'],
        maxTokenAge: '5 minutes',
      });
      const jti = payload.jti as string;
      if (seenJti.has(jti)) return { refused: 'assertion replayed' };
      seenJti.add(jti);
      return { method: 'private_key_jwt' };
    } catch (error) {
      return { refused: `assertion refused: ${(error as Error).message}` };
    }
  };
  const certificate = (request: IncomingMessage, form: URLSearchParams): AuthResult => {
    const socket = request.socket as TLSSocket;
    if (typeof socket.getPeerX509Certificate !== 'function') return { refused: 'no TLS' };
    const peer = socket.getPeerX509Certificate();
    if (peer === undefined) return { refused: 'no client certificate' };
    if (form.get('client_id') !== settings.clientId) return { refused: 'client_id does not match' };
    if (settings.tlsSubject !== undefined && socket.authorized && peer.subject === settings.tlsSubject) {
      return { method: 'tls_client_auth' };
    }
    if (settings.selfSignedCert !== undefined) {
      const pinned = new X509Certificate(settings.selfSignedCert);
      if (pinned.fingerprint256 === peer.fingerprint256) return { method: 'self_signed_tls_client_auth' };
    }
    return { refused: 'client certificate not registered' };
  };
  return async (request, form) => {
    const fromHeader = basic(request.headers.authorization);
    if (fromHeader) return fromHeader;
    if (form.has('client_assertion')) return assertion(form);
    return certificate(request, form);
  };
}
