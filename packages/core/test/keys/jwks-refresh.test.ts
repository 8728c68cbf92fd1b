import { generateTestKey } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, startRig, tokenFor } from '../fixtures/remote-rig.js';

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

  it('K-5: a key published after the start-up fetch verifies on its first request, inside the cooldown', async () => {
    // The rotation as an issuer does it: start-up fetch at 0 s, new key published at 10 s, first token
    // signed with it at 15 s. The cooldown throttles repeated unknown-kid refetches; it does not count
    // from the start-up fetch, so this first one is not refused for the rest of a cooldown.
    const rig = await startRig(cleanup);
    await rig.guard.ready();
    const next = generateTestKey('ES256');
    rig.clock.advance(10_000);
    rig.server.setKeys([rig.key.jwk, next.jwk]);
    rig.clock.advance(5000);
    const first = await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now()));
    expect(first.outcome, first.outcome === 'deny' ? first.code : '').toBe('allow');
    expect(rig.jwksHits()).toBe(2);
    // A later rotation, once the cooldown of that refetch has passed, is picked up the same way.
    const third = generateTestKey('ES256');
    rig.clock.advance(30_000);
    rig.server.setKeys([rig.key.jwk, next.jwk, third.jwk]);
    expect((await rig.evaluate(tokenFor(third, rig.issuer, rig.clock.now()))).outcome).toBe('allow');
    expect(rig.jwksHits()).toBe(3);
  });

  it('K-6/#24: unknown kids refetch at most once per cooldown, counted from the last unknown-kid refetch', async () => {
    const rig = await startRig(cleanup, { keyFetch: { cooldownMs: 10_000 } });
    await rig.guard.ready();
    const forged = () => rig.mint({ header: { kid: `random-${Math.random().toString(36).slice(2)}` } });
    const storm = async () => {
      const decisions = await Promise.all(Array.from({ length: 200 }, () => rig.evaluate(forged())));
      for (let i = 0; i < 200; i += 1) decisions.push(await rig.evaluate(forged()));
      expect(decisions.every((d) => d.outcome === 'deny' && d.code === 'ERR_KEY_NOT_FOUND')).toBe(true);
    };
    await storm(); // the first unknown kid after start-up: one refetch
    expect(rig.jwksHits()).toBe(2);
    // A key published during the cooldown of that refetch waits for the cooldown to end: the price of
    // the storm bound, and the only case a rotation is refused for a while.
    const next = generateTestKey('ES256');
    rig.server.setKeys([rig.key.jwk, next.jwk]);
    rig.clock.advance(9999);
    await storm();
    const early = await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now()));
    expect(early.outcome === 'deny' && early.code).toBe('ERR_KEY_NOT_FOUND');
    expect(rig.jwksHits()).toBe(2);
    rig.clock.advance(1);
    expect((await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now()))).outcome).toBe('allow');
    await storm();
    expect(rig.jwksHits()).toBe(3);
    expect(rig.reports).toHaveLength(3);
  });

  it('K-6/#24: 1000 random-kid tokens within the cooldown cause at most one extra fetch', async () => {
    const rig = await startRig(cleanup);
    await rig.guard.ready();
    rig.clock.advance(1000);
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
