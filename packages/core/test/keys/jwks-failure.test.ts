import { generateTestKey, parseChallenges } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/index.js';
import { Cleanup, startRig, tokenFor } from '../fixtures/remote-rig.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function expectUnavailable(decision: Decision, retryAfter: string): void {
  if (decision.outcome !== 'deny') throw new Error('expected a deny');
  expect(decision.code).toBe('ERR_KEYS_UNAVAILABLE');
  expect(decision.status).toBe(503);
  expect(decision.headers['retry-after']).toBe(retryAfter);
  expect(decision.headers['cache-control']).toBe('no-store');
  // A key outage is the server's problem: the client's token must not be called invalid.
  expect(decision.headers['www-authenticate']).toBeUndefined();
  expect(decision.body.error).toBe('temporarily_unavailable');
}

describe('fail closed when keys cannot be fetched', () => {
  it('endpoint down at first use → 503 with Retry-After, no invalid_token; allowed after recovery', async () => {
    const rig = await startRig(cleanup);
    rig.server.setMode('down');
    expectUnavailable(await rig.evaluate(rig.mint()), '5');
    expect(rig.jwksHits()).toBe(1);

    rig.server.setMode('up');
    rig.clock.advance(2000);
    // Within retryAfterFailureMs the endpoint is not asked again, whatever the request load.
    expectUnavailable(await rig.evaluate(rig.mint()), '3');
    expect(rig.jwksHits()).toBe(1);

    rig.clock.advance(3000);
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    expect(rig.jwksHits()).toBe(2);
  });

  it('a token with a bad signature during an outage is still answered 503, never allowed', async () => {
    const rig = await startRig(cleanup);
    rig.server.setMode('down');
    const forged = rig.mint({ signWith: generateTestKey('ES256').privateKey });
    expectUnavailable(await rig.evaluate(forged), '5');
  });

  it('guard.ready() rejects while keys cannot load and resolves once they do', async () => {
    const rig = await startRig(cleanup);
    rig.server.setMode('down');
    await expect(rig.guard.ready()).rejects.toThrow(/issuer\.test.*HTTP status 503/);
    rig.server.setMode('up');
    await expect(rig.guard.ready()).resolves.toBeUndefined();
    expect(rig.jwksHits()).toBe(2);
    // Fresh keys are not fetched again.
    await rig.guard.ready();
    expect(rig.jwksHits()).toBe(2);
  });

  it('endpoint down later → last good keys serve until maxAgeMs + staleIfErrorMs, then 503', async () => {
    const rig = await startRig(cleanup, { keyFetch: { maxAgeMs: 60_000, staleIfErrorMs: 120_000 } });
    await rig.guard.ready();
    rig.server.setMode('down');

    rig.clock.advance(61_000);
    const background = rig.nextReport();
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    expect((await background).ok).toBe(false);

    rig.clock.advance(118_000); // 179 s after the fetch: still inside the stale window
    const again = rig.nextReport();
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    expect((await again).ok).toBe(false);

    rig.clock.advance(2000); // 181 s: past maxAgeMs + staleIfErrorMs
    expectUnavailable(await rig.evaluate(rig.mint()), '3');

    rig.server.setMode('up');
    rig.clock.advance(3000);
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    expect(rig.reports.map((report) => report.ok)).toEqual([true, false, false, true]);
  });

  it('during an outage an unknown kid is 503 (it may be a new key), a known kid still verifies', async () => {
    const rig = await startRig(cleanup);
    await rig.guard.ready();
    rig.server.setMode('down');
    rig.clock.advance(30_001);
    const rotated = tokenFor(generateTestKey('ES256'), rig.issuer, rig.clock.now());
    expectUnavailable(await rig.evaluate(rotated), '5');
    expect(rig.jwksHits()).toBe(2);
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    // Once a fetch succeeds again, an unknown kid is an ordinary invalid token.
    rig.server.setMode('up');
    rig.clock.advance(30_001);
    const unknown = await rig.evaluate(rotated);
    expect(unknown.outcome === 'deny' && unknown.code).toBe('ERR_KEY_NOT_FOUND');
    expect(rig.jwksHits()).toBe(3);
  });

  it('a JWKS with zero usable keys is a failed fetch: older keys keep serving', async () => {
    const rig = await startRig(cleanup, { keyFetch: { maxAgeMs: 60_000 } });
    await rig.guard.ready();
    const encryption = { ...generateTestKey('ES256').jwk, use: 'enc' };
    rig.server.setKeys([encryption]);
    rig.clock.advance(61_000);
    const refresh = rig.nextReport();
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    const report = await refresh;
    expect(report).toMatchObject({ ok: false, keyCount: 0 });
    expect(report.error).toMatch(/no usable verification key/);
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
  });

  it('a JWKS with zero usable keys at first use → 503', async () => {
    const rig = await startRig(cleanup, { published: [{ ...generateTestKey('ES256').jwk, use: 'enc' }] });
    expectUnavailable(await rig.evaluate(rig.mint()), '5');
    await expect(rig.guard.ready()).rejects.toThrow(/no usable verification key/);
  });

  it('an outage answers 503 without a challenge while a bad token from the same guard gets invalid_token', async () => {
    const rig = await startRig(cleanup);
    rig.server.setMode('down');
    expectUnavailable(await rig.evaluate(rig.mint()), '5');
    rig.server.setMode('up');
    rig.clock.advance(5000);
    const forged = await rig.evaluate(rig.mint({ signWith: generateTestKey('ES256').privateKey }));
    const header = forged.outcome === 'deny' ? forged.headers['www-authenticate'] : undefined;
    expect(forged.outcome === 'deny' && forged.status).toBe(401);
    expect(parseChallenges(header ?? '')[0]?.params.error).toBe('invalid_token');
  });
});

describe('keyFetch.onFetch', () => {
  it('reports every attempt, successful or not', async () => {
    const rig = await startRig(cleanup);
    rig.server.setMode('down');
    await rig.evaluate(rig.mint());
    rig.server.setMode('up');
    rig.clock.advance(5000);
    await rig.evaluate(rig.mint());
    expect(rig.reports).toHaveLength(rig.jwksHits());
    expect(rig.reports).toHaveLength(2);
    const [failed, succeeded] = rig.reports;
    expect(failed).toMatchObject({ issuer: rig.issuer, ok: false, keyCount: 0, error: 'HTTP status 503' });
    expect(succeeded).toMatchObject({ issuer: rig.issuer, ok: true, keyCount: 1 });
    expect(succeeded?.error).toBeUndefined();
    for (const report of rig.reports) expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a throwing listener neither fails the fetch nor the request', async () => {
    const rig = await startRig(cleanup, {
      keyFetch: {
        onFetch: () => {
          throw new Error('listener bug');
        },
      },
    });
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    await expect(rig.guard.ready()).resolves.toBeUndefined();
    expect(rig.reports).toEqual([expect.objectContaining({ ok: true })]);
  });
});
