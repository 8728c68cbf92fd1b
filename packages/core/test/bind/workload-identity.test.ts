/**
 * Service identity: with a verified client certificate (the server's CA accepted its chain, or a trusted
 * proxy forwarded it) the principal names the calling workload, and `requireWorkload` checks it next to
 * the user's token — "validate both user and system identity". A certificate nobody verified names nobody.
 */
import { X509Certificate } from 'node:crypto';
import { SPIFFE_TRUST_DOMAIN, testTls } from '@nevertrust/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type RequestFacts, requireWorkload } from '../../src/index.js';
import { expectAllow, expectDeny, harness } from '../support.js';

const SERVICE_A = `${SPIFFE_TRUST_DOMAIN}/ns/orders/sa/service-a`;
let certificates: { a: Uint8Array; b: Uint8Array };

beforeAll(async () => {
  const tls = await testTls();
  certificates = {
    a: new X509Certificate(tls.clientCert).raw,
    b: new X509Certificate(tls.otherClientCert).raw,
  };
});

function over(token: string, certificate: Uint8Array, authorized = true): RequestFacts {
  return {
    method: 'GET',
    target: '/invoices',
    headers: { authorization: [`Bearer ${token}`] },
    tls: { authorized, peerCertificate: certificate },
  };
}

describe('the calling workload (SPIFFE ID of a verified client certificate)', () => {
  it('is on the principal and satisfies requireWorkload; another workload is refused (403)', async () => {
    const { guard, mint } = harness({ guard: { mtls: {} } });
    const allowed = expectAllow(
      await guard.evaluate(over(mint(), certificates.a), requireWorkload(SERVICE_A)),
    );
    expect(allowed.principal?.workload).toMatchObject({ subject: 'CN=service-a', spiffeId: SERVICE_A });
    expect(allowed.principal?.subject).toBe('user-1');
    expectDeny(
      await guard.evaluate(over(mint(), certificates.b), requireWorkload(SERVICE_A)),
      'ERR_ACCESS_DENIED',
      403,
    );
  });

  it('a certificate whose chain the server did not accept names no workload', async () => {
    const { guard, mint } = harness({ guard: { mtls: {} } });
    const decision = await guard.evaluate(over(mint(), certificates.a, false), requireWorkload(SERVICE_A));
    expectDeny(decision, 'ERR_ACCESS_DENIED', 403);
  });

  it('without the mtls option no certificate is read, and a bad SPIFFE ID fails at start-up', async () => {
    const { guard, mint } = harness();
    const decision = await guard.evaluate(over(mint(), certificates.a), requireWorkload(SERVICE_A));
    expectDeny(decision, 'ERR_ACCESS_DENIED', 403);
    expect(() => requireWorkload('billing')).toThrow(ConfigError);
    expect(() => requireWorkload()).toThrow(ConfigError);
  });
});
