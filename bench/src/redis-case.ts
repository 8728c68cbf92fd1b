/**
 * The micro cases of the shared stores (`@nevertrust/redis`) next to the in-process ones: `evaluate` on a
 * cache hit (the same token every call, already verified), with the revocation store alone and with a
 * per-principal rate limit too. Each case runs in a process of its own with its own ioredis client, as an
 * API instance would; the parent owns the redis-server and counts the commands each sample sent.
 */
import { createGuard, type Decision, type GuardOptions } from '@nevertrust/core';
import { createRedisCounterStore, createRedisRevocationStore, REDIS_CLIENT_OPTIONS } from '@nevertrust/redis';
import { Redis } from 'ioredis';
import type { Identity } from './fixtures.js';
import { bearerFacts } from './micro.js';
import type { MicroCase } from './sampler.js';

/**
 * Names of the Redis cases, as reported; `local` cases are the in-process baseline of their `redis` twin.
 *
 * @example
 * ```ts
 * REDIS_CASES.limitRedis; // 'cache hit, rate limit, Redis stores'
 * ```
 */
export const REDIS_CASES = {
  hitLocal: 'cache hit, in-process stores',
  hitRedis: 'cache hit, Redis revocation store',
  limitLocal: 'cache hit, rate limit, in-process stores',
  limitRedis: 'cache hit, rate limit, Redis stores',
  ping: 'reference: one ioredis PING round trip',
} as const;

/** One of the {@link REDIS_CASES} names. */
export type RedisCaseName = (typeof REDIS_CASES)[keyof typeof REDIS_CASES];

// Never reached in a run: the case measures the cost of counting, not of refusing.
const RATE_LIMIT = { by: 'principal', limit: 1_000_000_000, windowSeconds: 60 } as const;

/** Waits (bounded) until a client is connected or a shared store's local copy is live, or throws. */
async function whenReady(ready: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error('Redis not ready after 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Builds one Redis case: a guard with the default checks, the key set from the JWKS URL, and either the
 * in-process stores or the Redis ones on `redisPort` (deployment prefix `bench`).
 *
 * @example
 * ```ts
 * const { case: hit, close } = await redisCase(REDIS_CASES.hitRedis, identity, tokens.same, 6399);
 * ```
 */
export async function redisCase(
  name: RedisCaseName,
  identity: Identity,
  token: string,
  redisPort: number,
): Promise<{ case: MicroCase; sent: () => number; close: () => Promise<void> }> {
  const { issuer, audience, jwksUri } = identity;
  const shared = name !== REDIS_CASES.hitLocal && name !== REDIS_CASES.limitLocal;
  const limited = name === REDIS_CASES.limitLocal || name === REDIS_CASES.limitRedis;
  const client = shared
    ? new Redis({ host: '127.0.0.1', port: redisPort, ...REDIS_CLIENT_OPTIONS })
    : undefined;
  // Every command this instance sends (a script call is one, whatever it runs inside the server).
  let sent = 0;
  if (client) {
    const send = client.sendCommand.bind(client);
    client.sendCommand = (...args: Parameters<typeof send>) => {
      sent += 1;
      return send(...args);
    };
  }
  if (client && name === REDIS_CASES.ping) {
    await whenReady(() => client.status === 'ready');
    return {
      case: { name, async: true, ok: (result) => result === 'PONG', run: () => client.ping() },
      sent: () => sent,
      close: async () => client.disconnect(),
    };
  }
  const revocations = client && createRedisRevocationStore({ client, prefix: 'bench' });
  const counters = client && limited ? createRedisCounterStore({ client, prefix: 'bench' }) : undefined;
  const options: GuardOptions = {
    issuers: [{ issuer, audience, jwksUri }],
    ...(revocations ? { revocation: { store: revocations } } : {}),
    ...(counters ? { counterStore: counters } : {}),
    ...(limited ? { rateLimits: [RATE_LIMIT] } : {}),
  };
  const guard = createGuard(options);
  await guard.ready();
  await whenReady(() => (revocations?.health().ready ?? true) && (counters?.health().ready ?? true));
  const facts = bearerFacts(token);
  // The token is cached from its second use on, as a client's later requests find it.
  for (let i = 0; i < 3; i++) {
    const primed = await guard.evaluate(facts);
    if (primed.outcome !== 'allow') throw new Error(`${name}: refused while priming: ${primed.code}`);
  }
  return {
    case: {
      name,
      async: true,
      ok: (result) => (result as Decision).outcome === 'allow',
      run: () => guard.evaluate(facts),
    },
    sent: () => sent,
    async close() {
      await guard.close();
      await revocations?.close();
      await counters?.close();
      client?.disconnect();
    },
  };
}
