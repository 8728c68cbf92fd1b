/**
 * The micro case of a certificate-bound request (RFC 8705 §3): `evaluate` with a token bound to a client
 * certificate (`cnf["x5t#S256"]`) that the guard has already verified and cached, arriving over TLS with
 * that certificate — on every call the bind step hashes the presented certificate's DER bytes and compares
 * the thumbprint with the token's. The certificates are the test kit's, generated at start; the set-up
 * proves once that the same token with another certificate is refused, so the case cannot measure a
 * bypass. The report sets it next to the Bearer cache hit of the same round.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { createGuard, type RequestFacts } from '@nevertrust/core';
import { testTls } from '@nevertrust/testkit';
import type { Identity } from './fixtures.js';
import { allowed, bearerFacts } from './micro.js';
import type { MicroCase } from './sampler.js';

/** A token bound to a client certificate, the certificate, and another client's (made in the parent). */
export interface CertificateBoundFixture {
  /** An access token with `cnf["x5t#S256"]` of `certificate`. */
  readonly token: string;
  /** PEM of the client certificate the token is bound to. */
  readonly certificate: string;
  /** PEM of another client's certificate (same CA): the set-up's refusal check. */
  readonly otherCertificate: string;
}

/** DER bytes of a PEM certificate, as the adapters hand them to the core (a view on the socket's buffer). */
function der(pem: string): Uint8Array {
  const raw = new X509Certificate(pem).raw;
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/**
 * Takes the test kit's client certificates and mints a token bound to the first. The thumbprint is
 * computed here, as an authorization server would (RFC 8705 §3.1), not with the code under measurement.
 *
 * @example
 * ```ts
 * const bound = await createCertificateBoundFixture((claims) => mint({ lifetime: 7200, claims }));
 * ```
 */
export async function createCertificateBoundFixture(
  mint: (claims: Record<string, unknown>) => string,
): Promise<CertificateBoundFixture> {
  const tls = await testTls();
  const thumbprint = createHash('sha256').update(der(tls.clientCert)).digest('base64url');
  const token = mint({ scope: 'orders:read orders:write', cnf: { 'x5t#S256': thumbprint } });
  return { token, certificate: tls.clientCert, otherCertificate: tls.otherClientCert };
}

/** A `GET /orders` with the token as Bearer over TLS, presenting `certificate` (a verified chain). */
function facts(token: string, certificate: Uint8Array): RequestFacts {
  return { ...bearerFacts(token), tls: { authorized: true, peerCertificate: certificate } };
}

/**
 * The certificate-bound case: a guard accepting such tokens from the TLS connection (`mtls: {}`), its
 * token cache already holding the token, then the same request on every call.
 *
 * @example
 * ```ts
 * const { case: bound, close } = await certificateBoundCase(MICRO_CASES.certificateBound, identity, fixture);
 * ```
 */
export async function certificateBoundCase(
  name: string,
  identity: Identity,
  fixture: CertificateBoundFixture,
): Promise<{ case: MicroCase; close: () => Promise<void> }> {
  const { issuer, audience, jwksUri } = identity;
  const guard = createGuard({ issuers: [{ issuer, audience, jwksUri }], mtls: {} });
  await guard.ready();
  const request = facts(fixture.token, der(fixture.certificate));
  // The measured calls find the token cached, as a client's later requests do (admitted on its second use).
  for (let i = 0; i < 3; i++) {
    const primed = await guard.evaluate(request);
    if (primed.outcome !== 'allow') throw new Error(`the certificate-bound case is refused: ${primed.code}`);
  }
  // With the token cached, another client's certificate must still be refused: the check the case measures.
  const other = await guard.evaluate(facts(fixture.token, der(fixture.otherCertificate)));
  if (other.outcome !== 'deny' || other.code !== 'ERR_CERTIFICATE_MISMATCH') {
    throw new Error(
      `the certificate-bound case accepts another certificate (${other.outcome === 'deny' ? other.code : 'allow'})`,
    );
  }
  return {
    case: { name, async: true, ok: allowed, run: () => guard.evaluate(request) },
    close: () => guard.close(),
  };
}
