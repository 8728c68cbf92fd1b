import { b64url, generateTestKey, startKeyServer } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createGuard } from '../../src/index.js';
import { Cleanup, startRig, tokenFor } from '../fixtures/remote-rig.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function totalHits(hits: ReadonlyMap<string, number>): number {
  return [...hits.values()].reduce((sum, count) => sum + count, 0);
}

describe('K-10 / #9 / #10: keys never come from the token', () => {
  it('a token with an unknown iss causes no fetch at all', async () => {
    const rig = await startRig(cleanup);
    const stranger = generateTestKey('ES256');
    for (const iss of ['https://evil.test/', rig.server.url, rig.server.jwksUri, '']) {
      const decision = await rig.evaluate(tokenFor(stranger, iss, rig.clock.now()));
      expect(decision.outcome === 'deny' && decision.code).toBe('ERR_ISSUER_UNKNOWN');
    }
    expect(totalHits(rig.server.hits)).toBe(0);
    expect(rig.reports).toHaveLength(0);
  });

  it('jku, x5u, x5c and jwk headers are neither fetched nor used', async () => {
    const rig = await startRig(cleanup);
    const attacker = generateTestKey('ES256', 'attacker');
    const attackerServer = await startKeyServer({ keys: [attacker.jwk] });
    cleanup.add(() => attackerServer.close());
    const headers = [
      { jku: attackerServer.jwksUri },
      { jku: `${attackerServer.jwksUri}?x=1`, kid: rig.key.kid },
      { x5u: `${attackerServer.url}/cert.pem` },
      { x5c: [b64url('not a certificate')] },
      { jwk: attacker.jwk },
      { jwk: attacker.jwk, kid: rig.key.kid },
    ];
    for (const header of headers) {
      const decision = await rig.evaluate(rig.mint({ header, signWith: attacker.privateKey }));
      expect(decision.outcome, JSON.stringify(Object.keys(header))).toBe('deny');
    }
    expect(totalHits(attackerServer.hits)).toBe(0);
    // The issuer's own endpoint was asked once (first use) and once more for an unknown kid at most.
    expect(rig.jwksHits()).toBeLessThanOrEqual(2);
  });
});

describe('#25: slow, huge and poisoned endpoints', () => {
  it('an endpoint that hangs → 503 within the configured timeout', async () => {
    const rig = await startRig(cleanup, { keyFetch: { timeoutMs: 300 } });
    rig.server.setMode('hang');
    const started = performance.now();
    const decision = await rig.evaluate(rig.mint());
    const elapsed = performance.now() - started;
    expect(decision.outcome === 'deny' && decision.status).toBe(503);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    expect(rig.reports[0]?.ok).toBe(false);
  });

  it('a JWKS larger than maxBytes is refused (the 2 MiB default-breaker and a small cap)', async () => {
    const rig = await startRig(cleanup);
    rig.server.setMode('huge');
    expect((await rig.evaluate(rig.mint())).outcome).toBe('deny');
    expect(rig.reports[0]?.error).toMatch(/larger than 524288 bytes/);

    const small = await startRig(cleanup, { keyFetch: { maxBytes: 64 } });
    expect((await small.evaluate(small.mint())).outcome).toBe('deny');
    expect(small.reports[0]?.error).toMatch(/larger than 64 bytes/);
  });

  it('a response that is not JSON is refused', async () => {
    const rig = await startRig(cleanup);
    rig.server.setMode('not-json');
    const decision = await rig.evaluate(rig.mint());
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_KEYS_UNAVAILABLE');
    expect(rig.reports[0]?.error).toBe('response is not JSON');
  });

  it('JSON that is not a JWK set is refused', async () => {
    const rig = await startRig(cleanup);
    for (const document of [[], null, { keys: {} }, 'keys']) {
      rig.server.setKeys({ document });
      expect((await rig.evaluate(rig.mint())).outcome).toBe('deny');
      rig.clock.advance(5000);
    }
    expect(rig.reports.map((report) => report.ok)).toEqual([false, false, false, false]);
  });
});

describe('transport rules (K-3, RFC 8414 §2)', () => {
  it('an http jwksUri off loopback is a ConfigError; http on loopback is accepted', async () => {
    for (const jwksUri of ['http://idp.example.com/jwks', 'http://10.0.0.1/jwks', 'ftp://idp/jwks']) {
      expect(() => createGuard({ issuers: [{ issuer: 'i', audience: 'a', jwksUri }] })).toThrow(ConfigError);
    }
    const rig = await startRig(cleanup, { server: { https: false } });
    expect(rig.server.jwksUri.startsWith('http://127.0.0.1:')).toBe(true);
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
  });

  it('an HTTPS endpoint whose CA is not trusted is never used (fail closed)', async () => {
    const rig = await startRig(cleanup, { withoutCa: true });
    const decision = await rig.evaluate(rig.mint());
    expect(decision.outcome === 'deny' && decision.status).toBe(503);
    expect(rig.reports[0]?.ok).toBe(false);
  });

  it('the token header kid is only a map key: injection payloads find nothing and fetch at most once', async () => {
    const rig = await startRig(cleanup);
    await rig.guard.ready();
    rig.clock.advance(30_001);
    for (const kid of ['../../../../dev/null', "x' UNION SELECT '1';--", '|sleep 10', '__proto__']) {
      const token = rig.mint({ header: { alg: 'HS256', kid }, signWith: new Uint8Array(32), lifetime: 60 });
      expect((await rig.evaluate(token)).outcome).toBe('deny');
      expect((await rig.evaluate(rig.mint({ header: { kid } }))).outcome).toBe('deny');
    }
    expect(rig.jwksHits()).toBeLessThanOrEqual(2);
  });
});
