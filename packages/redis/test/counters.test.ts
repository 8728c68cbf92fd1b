/**
 * The shared counter store on a real redis-server: each call is atomic across instances (no lost or
 * doubled count under concurrency), windows roll and tolerate clock skew, distinct sets and flags behave
 * like the in-process store's, and a per-principal limit holds to the exact count across instances
 * (checklist M-1: limits per principal; the detectors see every instance's requests).
 */
import { bearer } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { createRedisCounterStore } from '../src/index.js';
import { storeKeys } from '../src/keys.js';
import { type Instance, mint, startInstance, useRedisServer } from './support.js';

const redis = useRedisServer();
const { instances } = redis;

async function many(count: number, prefix: string, options = {}): Promise<Instance[]> {
  const started = await Promise.all(
    Array.from({ length: count }, () => startInstance(redis.server(), prefix, options)),
  );
  instances.push(...started);
  return started;
}

/** Commands `instance` sends to Redis while `work` runs (its stores' background beats excluded). */
async function commandsDuring(instance: Instance, work: () => Promise<void>): Promise<number> {
  const client = instance.client as unknown as { sendCommand: (command: { args: unknown[] }) => unknown };
  const send = client.sendCommand;
  let sent = 0;
  client.sendCommand = function (this: unknown, command) {
    if (!command.args.some((arg) => String(arg).includes(':beat:'))) sent += 1;
    return send.call(this, command);
  };
  try {
    await work();
  } finally {
    client.sendCommand = send;
  }
  return sent;
}

describe('Redis counter store', () => {
  it('increments are atomic across three instances: 600 concurrent calls count 1..600 exactly once', async () => {
    const stores = (await many(3, 'atomic')).map((instance) => instance.counters);
    const now = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 600 }, (_, index) => stores[index % 3]?.increment('rl:shared', 60_000, now)),
    );
    const seen = replies.map((reply) => reply?.current).sort((x, y) => (x ?? 0) - (y ?? 0));
    expect(seen).toEqual(Array.from({ length: 600 }, (_, index) => index + 1));
  });

  it('windows roll over, and an instance whose clock lags counts into the current window', async () => {
    const [a, b] = (await many(2, 'windows')).map((instance) => instance.counters);
    const windowMs = 10_000;
    const start = Math.floor(Date.now() / windowMs) * windowMs;
    await a?.increment('k', windowMs, start + 1);
    await a?.increment('k', windowMs, start + 2);
    expect(await a?.increment('k', windowMs, start + windowMs + 1)).toEqual({
      current: 1,
      previous: 2,
      windowStart: start + windowMs,
    });
    // B's clock is one window behind: its event still lands in the newest window.
    expect(await b?.increment('k', windowMs, start + 5)).toEqual({
      current: 2,
      previous: 2,
      windowStart: start + windowMs,
    });
    expect((await a?.increment('k', windowMs, start + 5 * windowMs))?.previous).toBe(0);
  });

  it('distinct members are counted across instances, within the window and up to maxMembers', async () => {
    const [a, b] = (await many(2, 'distinct')).map((instance) => instance.counters);
    const now = Date.now();
    expect(await a?.distinct('d', '198.51.100.1', 1000, now)).toBe(1);
    expect(await b?.distinct('d', '198.51.100.2', 1000, now)).toBe(2);
    expect(await b?.distinct('d', '198.51.100.1', 1000, now + 1)).toBe(2);
    expect(await a?.distinct('d', '198.51.100.3', 1000, now + 1500)).toBe(1);
    const capped = createRedisCounterStore({
      client: instances[0]?.client as never,
      prefix: 'distinct',
      maxMembers: 3,
    });
    for (let index = 0; index < 5; index += 1) await capped.distinct('cap', `m${index}`, 60_000, now);
    expect(await capped.distinct('cap', 'm9', 60_000, now)).toBe(3);
  });

  it('flags set on one instance are read by the other without a round trip, keep the later end, and expire', async () => {
    const [a, b] = (await many(2, 'flags')) as [Instance, Instance];
    const now = Date.now();
    await a.counters.setFlag('block:peer:x', now + 60_000);
    await b.counters.setFlag('block:peer:x', now + 500);
    expect(
      await commandsDuring(b, async () => {
        expect(await b.counters.flag('block:peer:x', now)).toBe(now + 60_000);
      }),
    ).toBe(0);
    expect(await a.counters.flag('block:peer:x', now + 60_001)).toBeUndefined();
    await a.counters.setFlag('short', Date.now() + 300);
    expect(await b.counters.flag('short', Date.now())).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await b.counters.flag('short', Date.now())).toBeUndefined();
    // In Redis the flags end with the last of them.
    const ttl = await a.client.ttl(storeKeys('flags').flags);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(61);
  });

  it('M-1: a per-principal limit of 20 per 30 s lets exactly 20 of 40 concurrent requests through across two instances', async () => {
    const [a, b] = await many(2, 'limit', {
      rateLimits: [{ by: 'principal', limit: 20, windowSeconds: 30 }],
    });
    const token = mint({ claims: { sub: 'limited-user' } });
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        ((index % 2 ? a : b) as Instance).guard.evaluate(bearer(token)),
      ),
    );
    const allowed = decisions.filter((decision) => decision.outcome === 'allow').length;
    expect(allowed).toBe(20);
    const refused = decisions.flatMap((decision) => (decision.outcome === 'deny' ? [decision] : []));
    expect(refused.every((decision) => decision.status === 429 && decision.headers['retry-after'])).toBe(
      true,
    );
  });

  it('M-3: the token-spread detector sees the peers of every instance', async () => {
    const [a, b] = await many(2, 'spread', {
      detectors: { tokenSpread: { threshold: 3, blockSeconds: 60 } },
    });
    const token = mint();
    const from = (instance: Instance | undefined, peer: string) =>
      (instance as Instance).guard.evaluate(bearer(token, { remoteAddress: peer }));
    expect((await from(a, '192.0.2.1')).outcome).toBe('allow');
    expect((await from(b, '192.0.2.2')).outcome).toBe('allow');
    // The third peer, seen by A only through Redis, completes the picture and suspends the token everywhere.
    expect((await from(a, '192.0.2.3')).audit.reason).toBe('ERR_TOKEN_SUSPENDED');
    expect((await from(b, '192.0.2.1')).audit.reason).toBe('ERR_TOKEN_SUSPENDED');
  });

  it('round trips per request: none for the revocation check and the block checks; one per rate limit', async () => {
    const [a] = await many(1, 'trips', { rateLimits: [{ by: 'principal', limit: 1000, windowSeconds: 60 }] });
    const instance = a as Instance;
    const token = mint();
    await instance.guard.evaluate(bearer(token));
    const limited = await commandsDuring(instance, async () => {
      for (let index = 0; index < 100; index += 1) await instance.guard.evaluate(bearer(token));
    });
    const plain = await many(1, 'trips-plain');
    const noLimits = plain[0] as Instance;
    await noLimits.guard.evaluate(bearer(token));
    const revocationOnly = await commandsDuring(noLimits, async () => {
      for (let index = 0; index < 100; index += 1) await noLimits.guard.evaluate(bearer(token));
    });
    console.log(
      `Redis commands per request: revocation check only ${revocationOnly / 100}, with one principal limit ${limited / 100}`,
    );
    expect(revocationOnly).toBe(0);
    // The window script; the token and principal block checks read the local copy of the flags.
    expect(limited / 100).toBe(1);
  });
});
