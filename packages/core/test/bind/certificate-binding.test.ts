/**
 * Certificate-bound access tokens (RFC 8705 §3): checklist M-1 (the thumbprint), M-2 (the connection's
 * certificate must be the bound one, 401 invalid_token otherwise), M-4 (no chain validation: an expired
 * self-signed certificate binds), M-6 (a second confirmation method is refused), and the verified-token
 * cache, which holds the binding but never stands in for the certificate of the next request.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { bearer, testTls } from '@nevertrust/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateBindingProblem, certificateThumbprint } from '../../src/bind/certificate-binding.js';
import type { RequestFacts } from '../../src/index.js';
import { RFC8705_CERTIFICATE, RFC8705_THUMBPRINT } from '../fixtures/rfc8705.js';
import { expectAllow, expectDeny, harness, ISSUER } from '../support.js';

const rfcDer = new Uint8Array(new X509Certificate(RFC8705_CERTIFICATE).raw);
let otherDer: Uint8Array;

beforeAll(async () => {
  otherDer = new Uint8Array(new X509Certificate((await testTls()).clientCert).raw);
});

/** Bearer facts over TLS presenting `certificate` (DER), or over plain HTTP when `undefined`. */
function overTls(token: string, certificate: Uint8Array | null | undefined): RequestFacts {
  const facts = bearer(token);
  if (certificate === undefined) return facts;
  return { ...facts, tls: { authorized: false, peerCertificate: certificate ?? undefined } };
}

describe('M-1 the certificate thumbprint', () => {
  it('is the RFC 8705 Appendix A value for the Appendix A certificate', () => {
    expect(certificateThumbprint(rfcDer)).toBe(RFC8705_THUMBPRINT);
  });

  it("is Node's SHA-256 fingerprint in base64url, without padding or separators", () => {
    const fingerprint = new X509Certificate(RFC8705_CERTIFICATE).fingerprint256.replaceAll(':', '');
    expect(certificateThumbprint(rfcDer)).toBe(Buffer.from(fingerprint, 'hex').toString('base64url'));
    expect(certificateThumbprint(rfcDer)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is computed afresh when the same byte array is asked again with other bytes in it', () => {
    const bytes = Uint8Array.from(rfcDer);
    expect(certificateThumbprint(bytes)).toBe(RFC8705_THUMBPRINT);
    // Asked twice for one request's certificate (workload and binding): the same answer.
    expect(certificateThumbprint(bytes)).toBe(RFC8705_THUMBPRINT);
    // A caller reusing its array for other bytes never gets the earlier certificate's thumbprint.
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    const changed = certificateThumbprint(bytes);
    expect(changed).not.toBe(RFC8705_THUMBPRINT);
    expect(changed).toBe(createHash('sha256').update(bytes).digest('base64url'));
  });
});

describe('M-2 / M-4 certificateBindingProblem', () => {
  it('M-4 the expired self-signed Appendix A certificate binds: no chain validation', () => {
    expect(new Date(new X509Certificate(RFC8705_CERTIFICATE).validTo).getTime()).toBeLessThan(Date.now());
    expect(
      certificateBindingProblem(RFC8705_THUMBPRINT, { authorized: false, peerCertificate: rfcDer }),
    ).toBe(undefined);
  });

  it('M-2 another certificate, no certificate, no TLS: each a problem that names no thumbprint', () => {
    const problems = [
      certificateBindingProblem(RFC8705_THUMBPRINT, { authorized: true, peerCertificate: otherDer }),
      certificateBindingProblem(RFC8705_THUMBPRINT, { authorized: false }),
      certificateBindingProblem(RFC8705_THUMBPRINT, { authorized: false, peerCertificate: new Uint8Array() }),
      certificateBindingProblem(RFC8705_THUMBPRINT, undefined),
    ];
    expect(problems).toEqual([
      'the client certificate is not the one the token is bound to',
      'the client presented no certificate',
      'the client presented no certificate',
      'the request did not arrive over TLS',
    ]);
  });

  it('M-2 a thumbprint of another length or one character off does not match', () => {
    const tls = { authorized: true, peerCertificate: rfcDer };
    expect(certificateBindingProblem(`${RFC8705_THUMBPRINT}=`, tls)).toBeDefined();
    expect(certificateBindingProblem(RFC8705_THUMBPRINT.slice(0, -1), tls)).toBeDefined();
    expect(certificateBindingProblem(`${RFC8705_THUMBPRINT.slice(0, -1)}w`, tls)).toBeDefined();
  });
});

describe('M-2 a certificate-bound token through the guard (mtls: {})', () => {
  const bound = { claims: { cnf: { 'x5t#S256': RFC8705_THUMBPRINT } } };

  it('with the bound certificate: allowed, and the principal says how the token is bound', async () => {
    const { guard, mint, events } = harness({ guard: { mtls: {} } });
    const allowed = expectAllow(await guard.evaluate(overTls(mint(bound), rfcDer)));
    expect(allowed.principal.binding).toEqual({ type: 'mtls', certificateThumbprint: RFC8705_THUMBPRINT });
    expect(events.at(-1)).toMatchObject({ outcome: 'allow', reason: 'OK' });
  });

  it.each([
    ['another certificate', () => otherDer, 'the client certificate is not the one the token is bound to'],
    ['no certificate on a TLS connection', () => null, 'the client presented no certificate'],
    ['plain HTTP', () => undefined, 'the request did not arrive over TLS'],
  ] as const)('%s: 401 invalid_token ERR_CERTIFICATE_MISMATCH', async (_name, certificate, detail) => {
    const { guard, mint, events } = harness({ guard: { mtls: {} } });
    const denied = expectDeny(
      await guard.evaluate(overTls(mint(bound), certificate())),
      'ERR_CERTIFICATE_MISMATCH',
      401,
    );
    expect(denied.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The request lacks the client certificate the access token is bound to"',
    );
    expect(events.at(-1)).toMatchObject({ outcome: 'deny', reason: 'ERR_CERTIFICATE_MISMATCH', detail });
    // No principal without the proof of possession: the record names the issuer only, so a thief's failed
    // attempts count against nobody's subject (detectors, per-principal limits).
    expect(events.at(-1)?.subject).toBeUndefined();
    expect(events.at(-1)?.issuer).toBe(ISSUER);
  });

  it.each([
    ['with the verified-token cache', {}],
    ['without the cache', { cache: false as const }],
  ])('a cached verification never stands in for the certificate: %s', async (_name, cache) => {
    const { guard, mint, events } = harness({ guard: { mtls: {}, ...cache } });
    const token = mint(bound);
    for (let round = 0; round < 3; round++) {
      expectAllow(await guard.evaluate(overTls(token, rfcDer)));
      expectDeny(await guard.evaluate(overTls(token, otherDer)), 'ERR_CERTIFICATE_MISMATCH');
      expectDeny(await guard.evaluate(overTls(token, undefined)), 'ERR_CERTIFICATE_MISMATCH');
    }
    const refusedHits = events.filter((e) => e.reason === 'ERR_CERTIFICATE_MISMATCH' && e.cacheHit);
    expect(refusedHits.length > 0).toBe(cache.cache === undefined);
  });

  it('without the mtls option a certificate-bound token stays refused as before (ERR_TOKEN_BOUND)', async () => {
    const { guard, mint } = harness();
    expectDeny(await guard.evaluate(overTls(mint(bound), rfcDer)), 'ERR_TOKEN_BOUND', 401);
  });

  it.each([
    ['M-6 jkt and x5t#S256 together', { jkt: 'a'.repeat(43), 'x5t#S256': RFC8705_THUMBPRINT }],
    ['D-15 a DPoP-bound token (jkt only)', { jkt: 'a'.repeat(43) }],
    ['x5t#S256 that is not a string', { 'x5t#S256': 42 }],
    ['x5t#S256 that is no SHA-256 thumbprint', { 'x5t#S256': 'abc' }],
    ['an unknown member next to x5t#S256', { 'x5t#S256': RFC8705_THUMBPRINT, kid: 'k' }],
  ])('%s: still refused as a bound token, with the right certificate too', async (_name, cnf) => {
    const { guard, mint } = harness({ guard: { mtls: {} } });
    expectDeny(await guard.evaluate(overTls(mint({ claims: { cnf } }), rfcDer)), 'ERR_TOKEN_BOUND', 401);
  });

  it('a plain bearer token is unaffected by mtls, with or without a certificate', async () => {
    const { guard, mint } = harness({ guard: { mtls: {} } });
    const allowed = expectAllow(await guard.evaluate(overTls(mint(), otherDer)));
    expect(allowed.principal.binding).toEqual({ type: 'none' });
    expectAllow(await guard.evaluate(overTls(mint(), undefined)));
  });
});

describe('M-7 protected resource metadata (RFC 9728 §2)', () => {
  const resourceMetadata = { resource: 'https://api.example.com/v1' };

  it('says tls_client_certificate_bound_access_tokens: true when certificate-bound tokens are accepted', () => {
    const { guard } = harness({ guard: { mtls: {}, resourceMetadata } });
    expect(guard.resourceMetadata?.document.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(JSON.parse(guard.resourceMetadata?.response.body ?? '{}')).toMatchObject({
      tls_client_certificate_bound_access_tokens: true,
    });
  });

  it('omits it (false by default) without the mtls option', () => {
    const { guard } = harness({ guard: { resourceMetadata } });
    expect(guard.resourceMetadata?.document).not.toHaveProperty('tls_client_certificate_bound_access_tokens');
  });
});
