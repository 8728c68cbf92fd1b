import { generateTestKey } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, startRig, tokenFor } from './fixtures/remote-rig.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('JWKS rotation and refetch bounds', () => {
  it('K-5: a new kid triggers exactly one refetch and is then accepted', async () => {
    const rig = await startRig(cleanup);
    await rig.guard.ready();
    expect(rig.jwksHits()).toBe(1);
    const next = generateTestKey('ES256');
    rig.server.setKeys([rig.key.jwk, next.jwk]);
    rig.clock.advance(30_001);

    const rotated = await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now()));
    expect(rotated.outcome).toBe('allow');
    expect(rig.jwksHits()).toBe(2);
    expect((await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now()))).outcome).toBe('allow');
    expect((await rig.evaluate(rig.mint())).outcome).toBe('allow');
    expect(rig.jwksHits()).toBe(2);
  });

  it('K-5/K-6: inside the cooldown an unknown kid is refused without a fetch, and found after it', async () => {
    const rig = await startRig(cleanup, { keyFetch: { cooldownMs: 10_000 } });
    await rig.guard.ready();
    const next = generateTestKey('ES256');
    rig.server.setKeys([rig.key.jwk, next.jwk]);

    const early = await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now()));
    expect(early.outcome === 'deny' && early.code).toBe('ERR_KEY_NOT_FOUND');
    expect(rig.jwksHits()).toBe(1);
    rig.clock.advance(10_000);
    expect((await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now()))).outcome).toBe('allow');
    expect(rig.jwksHits()).toBe(2);
  });

  it('K-6/#24: 1000 random-kid tokens within the cooldown cause at most one extra fetch', async () => {
    const rig = await startRig(cleanup);
    await rig.guard.ready();
    // Past the cooldown, so that the first random kid is allowed its one refetch.
    rig.clock.advance(30_001);
    const forged = () => rig.mint({ header: { kid: `random-${Math.random().toString(36).slice(2)}` } });

    const started = performance.now();
    const concurrent = await Promise.all(Array.from({ length: 1000 }, () => rig.evaluate(forged())));
    for (let i = 0; i < 1000; i += 1) await rig.evaluate(forged());
    const elapsed = performance.now() - started;

    expect(concurrent.every((d) => d.outcome === 'deny' && d.code === 'ERR_KEY_NOT_FOUND')).toBe(true);
    expect(rig.jwksHits()).toBeLessThanOrEqual(2);
    expect(rig.reports).toHaveLength(rig.jwksHits());
    expect(elapsed).toBeLessThan(15_000);
  });

  it('K-6: concurrent requests at first use share one fetch', async () => {
    const rig = await startRig(cleanup);
    const decisions = await Promise.all(Array.from({ length: 50 }, () => rig.evaluate(rig.mint())));
    expect(decisions.every((d) => d.outcome === 'allow')).toBe(true);
    expect(rig.jwksHits()).toBe(1);
  });

  it('K-6: concurrent tokens with a rotated kid join a single refetch', async () => {
    const rig = await startRig(cleanup);
    await rig.guard.ready();
    const next = generateTestKey('ES256');
    rig.server.setKeys([rig.key.jwk, next.jwk]);
    rig.clock.advance(30_001);
    const decisions = await Promise.all(
      Array.from({ length: 20 }, () => rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now()))),
    );
    expect(decisions.every((d) => d.outcome === 'allow')).toBe(true);
    expect(rig.jwksHits()).toBe(2);
  });

  it('K-4: a kid-less token is refused when several keys could verify it, without a refetch', async () => {
    const other = generateTestKey('ES256');
    const rig = await startRig(cleanup, { published: [] });
    rig.server.setKeys([rig.key.jwk, other.jwk]);
    await rig.guard.ready();
    rig.clock.advance(30_001);
    const decision = await rig.evaluate(rig.mint({ header: { kid: undefined } }));
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_KEY_NOT_FOUND');
    expect(rig.jwksHits()).toBe(1);
  });

  it('K-4: a kid-less token is accepted when the set holds exactly one key', async () => {
    const rig = await startRig(cleanup);
    expect((await rig.evaluate(rig.mint({ header: { kid: undefined } }))).outcome).toBe('allow');
  });
});
