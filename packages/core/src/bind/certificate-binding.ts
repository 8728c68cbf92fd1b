/**
 * Certificate-bound access tokens (RFC 8705 §3): the token's `cnf["x5t#S256"]` names the client
 * certificate its holder authenticated with at the authorization server; the resource server accepts the
 * token only from a TLS connection presenting that same certificate. Possession of the certificate's
 * private key is what the TLS handshake proved, so the certificate chain itself need not be trusted
 * (RFC 8705 §6.2, checklist M-4): a self-signed or expired certificate still binds.
 */
import { Buffer } from 'node:buffer';
import { hash, timingSafeEqual } from 'node:crypto';
import type { TlsFacts } from '../model/facts.js';

/**
 * The RFC 8705 §3.1 thumbprint of a certificate: base64url (no padding) of the SHA-256 of its DER bytes
 * (checklist M-1).
 *
 * @example
 * ```ts
 * certificateThumbprint(new X509Certificate(pem).raw); // 'A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0'
 * ```
 */
export function certificateThumbprint(der: Uint8Array): string {
  // The workload reader and the binding check both ask for the thumbprint of the same request's
  // certificate: it is hashed once. The bytes are compared with a copy too, so a caller that reuses one
  // array for another certificate still gets a fresh hash. One-shot `hash` rather than a Hash object.
  if (der === lastDer && der.byteLength === lastBytes.byteLength && lastBytes.equals(der)) {
    return lastThumbprint;
  }
  lastThumbprint = hash('sha256', der, 'base64url');
  lastDer = der;
  lastBytes = Buffer.from(der);
  return lastThumbprint;
}

let lastDer: Uint8Array | undefined;
let lastBytes: Buffer = Buffer.alloc(0);
let lastThumbprint = '';

/**
 * Why the connection does not prove possession of the certificate a token is bound to, or `undefined`
 * when it does (RFC 8705 §3, checklist M-2). The comparison takes the same time wherever the thumbprints
 * differ. The details name no thumbprint: they go to the audit trail, which needs the reason, not the value.
 *
 * @example
 * ```ts
 * certificateBindingProblem(token.cnf['x5t#S256'], facts.tls); // undefined: the same certificate
 * certificateBindingProblem(expected, undefined); // 'the request did not arrive over TLS'
 * ```
 */
export function certificateBindingProblem(
  expectedThumbprint: string,
  tls: TlsFacts | undefined,
): string | undefined {
  if (tls === undefined) return 'the request did not arrive over TLS';
  const der = tls.peerCertificate;
  if (der === undefined || der.byteLength === 0) return 'the client presented no certificate';
  const presented = Buffer.from(certificateThumbprint(der), 'latin1');
  const expected = Buffer.from(expectedThumbprint, 'latin1');
  // A thumbprint has a fixed length (43 characters), so comparing lengths first reveals nothing secret.
  const same = presented.length === expected.length && timingSafeEqual(presented, expected);
  return same ? undefined : 'the client certificate is not the one the token is bound to';
}
