/**
 * The figures the deployment guide quotes (docs/many-instances.md), measured on a real redis-server: the
 * added cost per request of the shared stores next to the in-process ones, and the memory an entry of the
 * shared revocation list takes in Redis and in each instance's copy; the cost of a DPoP request with the
 * in-process and the Redis proof replay store, and the memory one remembered proof takes in Redis.
 */
import { createGuard, createMemoryCounterStore, type Guard } from '@nevertrust/core';
import type { DpopReplayStore } from '@nevertrust/core/policy';
import {
  bearer,
  createDpopProof,
  dpopThumbprint,
  generateTestKey,
  type RedisServer,
  requestFacts,
  startRedisServer,
} from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDpopReplayStore } from '../src/index.js';
import { storeKeys } from '../src/keys.js';
import {
  AUDIENCE,
  clientFor,
  eventually,
  type Instance,
  ISSUER,
  key,
  mint,
  startInstance,
} from './support.js';

let server: RedisServer;
const instances: Instance[] = [];
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  await server?.stop();
});

/**
 * Heap in use after a full collection. `gc` comes from `--expose-gc` in the test processes' `execArgv`
 * (vitest.config.ts): turning the flag on at run time with `v8.setFlagsFromString` is undefined behaviour
 * by Node's own documentation, and one run of this file once hung with its main thread in a futex wait.
 */
function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('figures.test.ts needs the test process to run with --expose-gc');
  gc();
  return process.memoryUsage().heapUsed;
}

/** Median microseconds of one DPoP request with a cached token, each with a fresh (pre-signed) proof. */
async function dpopMedian(store: DpopReplayStore | undefined): Promise<number> {
  const origin = 'https://api.redis.test';
  const holder = generateTestKey('ES256', 'figures-holder');
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
    dpop: { origin, ...(store ? { replay: { store } } : {}) },
  });
  const token = mint({ claims: { cnf: { jkt: await dpopThumbprint(holder) } } });
  const requests = Array.from({ length: 1300 }, () =>
    requestFacts({
      headers: {
        authorization: `DPoP ${token}`,
        dpop: createDpopProof({ key: holder, htm: 'GET', htu: `${origin}/orders`, accessToken: token }),
      },
    }),
  );
  const times: number[] = [];
  for (const [index, facts] of requests.entries()) {
    const started = performance.now();
    const decision = await guard.evaluate(facts);
    if (index >= 300) times.push((performance.now() - started) * 1000);
    expect(decision.outcome).toBe('allow');
  }
  await guard.close();
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/** Median microseconds of one cached-token evaluation, over 2000 sequential requests after a warm-up. */
async function median(guard: Guard, token: string): Promise<number> {
  const facts = bearer(token);
  for (let index = 0; index < 300; index += 1) await guard.evaluate(facts);
  const times: number[] = [];
  for (let index = 0; index < 2000; index += 1) {
    const started = performance.now();
    await guard.evaluate(facts);
    times.push((performance.now() - started) * 1000);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)] ?? 0;
}

describe('figures of the Redis stores', () => {
  it('cost per request on a token-cache hit: in-process stores vs Redis revocation vs Redis revocation + one limit', async () => {
    const issuers = [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }];
    const limits = { rateLimits: [{ by: 'principal' as const, limit: 1_000_000, windowSeconds: 60 }] };
    const plain = createGuard({ issuers });
    const memory = createGuard({ issuers, ...limits, counterStore: createMemoryCounterStore() });
    const revocationOnly = await startInstance(server, 'cost-a');
    const withLimit = await startInstance(server, 'cost-b', limits);
    instances.push(revocationOnly, withLimit);
    const token = mint();
    const figures = {
      memoryStores: await median(plain, token),
      memoryStoresWithLimit: await median(memory, token),
      redisRevocation: await median(revocationOnly.guard, token),
      redisRevocationAndLimit: await median(withLimit.guard, token),
    };
    await memory.close();
    await plain.close();
    console.log(
      `median µs per request: ${JSON.stringify(figures, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`,
    );
    // The revocation check costs no round trip; a limit costs one (loopback: well under a millisecond).
    expect(figures.redisRevocation).toBeLessThan(figures.memoryStores + 500);
    expect(figures.redisRevocationAndLimit).toBeLessThan(figures.redisRevocation + 2000);
  });

  it('memory per revocation entry, in Redis and in each instance', async () => {
    const instance = await startInstance(server, 'sizing');
    instances.push(instance);
    const count = 20_000;
    const now = Date.now() / 1000;
    const before = settledHeap();
    for (let start = 0; start < count; start += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, index) =>
          instance.revocations.add(
            {
              kind: 'token',
              issuer: ISSUER,
              tokenId: crypto.randomUUID(),
              expiresAt: now + 3600 + start + index,
            },
            now,
          ),
        ),
      );
    }
    const heapPerEntry = (settledHeap() - before) / count;
    const keys = storeKeys('sizing');
    const bytes =
      Number(await instance.client.call('MEMORY', 'USAGE', keys.revocations, 'SAMPLES', '0')) +
      Number(await instance.client.call('MEMORY', 'USAGE', keys.revocationExpiry, 'SAMPLES', '0'));
    const redisPerEntry = bytes / count;
    console.log(
      `per revocation entry (issuer of ${ISSUER.length} chars, UUID jti): Redis ${Math.round(redisPerEntry)} B, instance heap ${Math.round(heapPerEntry)} B`,
    );
    expect(instance.revocations.health().entries).toBe(count);
    expect(redisPerEntry).toBeGreaterThan(50);
    expect(redisPerEntry).toBeLessThan(1000);
  });

  it('memory per counter: a window counter, and a token-spread set of one peer', async () => {
    const instance = await startInstance(server, 'counter-sizing');
    instances.push(instance);
    const count = 10_000;
    const now = Date.now();
    for (let start = 0; start < count; start += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, index) => {
          const who = `rl:0:principal:${ISSUER}\nuser-${start + index}`;
          return Promise.all([
            instance.counters.increment(who, 60_000, now),
            instance.counters.distinct(`det:token-spread:${who}`, '203.0.113.7', 300_000, now),
          ]);
        }),
      );
    }
    const user7 = `rl:0:principal:${ISSUER}\nuser-7`;
    const keys = storeKeys('counter-sizing');
    const usage = async (redisKey: string) => Number(await instance.client.call('MEMORY', 'USAGE', redisKey));
    const window = await usage(keys.counter('window', user7));
    const distinct = await usage(keys.counter('distinct', `det:token-spread:${user7}`));
    console.log(`per counter in Redis: window ${window} B, token-spread set with one peer ${distinct} B`);
    expect(window).toBeGreaterThan(0);
    expect(distinct).toBeGreaterThan(0);
  });

  it('DPoP request cost: in-process vs Redis replay store (one round trip); memory per remembered proof', async () => {
    const client = clientFor(server);
    try {
      await eventually(() => client.status === 'ready');
      const inProcess = await dpopMedian(undefined);
      const redis = await dpopMedian(createRedisDpopReplayStore({ client, prefix: 'dpop-figures' }));
      const remembered = await client.keys('dpop-figures:dpop:*');
      const [one] = remembered;
      const bytes = Number(await client.call('MEMORY', 'USAGE', one as string, 'SAMPLES', '0'));
      console.log(
        `DPoP request median µs: in-process replay ${Math.round(inProcess)}, Redis replay ${Math.round(redis)}; one remembered proof in Redis ${bytes} B`,
      );
      // Every proof remembered once, under a digest key.
      expect(remembered).toHaveLength(1300);
      expect(redis).toBeLessThan(inProcess + 2000);
      expect(bytes).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });
});
