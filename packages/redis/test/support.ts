/**
 * Shared fixtures of the Redis store tests: a real redis-server, "instances" that each own their ioredis
 * clients (as separate processes would) and a guard over the shared stores, and a token issuer.
 */
import { createGuard, type Guard, type GuardOptions } from '@nevertrust/core';
import { createTokenIssuer, generateTestKey, type RedisServer, startRedisServer } from '@nevertrust/testkit';
import { type Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  createRedisCounterStore,
  createRedisRevocationStore,
  REDIS_CLIENT_OPTIONS,
  type RedisCounterStore,
  type RedisRevocationStore,
  type RedisRevocationStoreOptions,
} from '../src/index.js';

export const ISSUER = 'https://idp.redis.test/';
export const AUDIENCE = 'https://api.redis.test';
export const key = generateTestKey('ES256', 'redis-test');
export const mint = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key });
/** The test instances' propagation bound: short, so the fault tests run fast. */
export const STALE_AFTER_MS = 300;
/** Per-test settings of the revocation store. */
export type RevocationSettings = Pick<RedisRevocationStoreOptions, 'awaitBound'>;

/** One API instance: its own Redis connections (a single server's, a Sentinel's or a Cluster's), stores and guard. */
export interface Instance<C extends Redis | Cluster = Redis> {
  readonly client: C;
  readonly revocations: RedisRevocationStore;
  readonly counters: RedisCounterStore;
  readonly guard: Guard;
  close(): Promise<void>;
}

/** A client as the README recommends, to `server`. */
export function clientFor(server: RedisServer, overrides: Partial<typeof REDIS_CLIENT_OPTIONS> = {}): Redis {
  return new Redis({
    host: '127.0.0.1',
    port: server.port,
    ...REDIS_CLIENT_OPTIONS,
    // Tests reconnect quickly after a restart.
    retryStrategy: () => 50,
    ...overrides,
  });
}

/** Resolves once `check` holds (it may answer asynchronously), polling every 10 ms for at most `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

/** Starts an instance on `server` with a shared `prefix`; waits until its revocation view is live. */
export function startInstance(
  server: RedisServer,
  prefix: string,
  options: Partial<GuardOptions> = {},
  revocation: RevocationSettings = {},
): Promise<Instance> {
  return startInstanceOn(clientFor(server), prefix, options, undefined, revocation);
}

/**
 * Starts an instance over `client` (any deployment) with a shared `prefix`; waits (at most `readyMs`)
 * until its shared stores are live.
 */
export async function startInstanceOn<C extends Redis | Cluster>(
  client: C,
  prefix: string,
  options: Partial<GuardOptions> = {},
  readyMs = 5000,
  revocation: RevocationSettings = {},
): Promise<Instance<C>> {
  const revocations = createRedisRevocationStore({
    client,
    prefix,
    heartbeatMs: 50,
    staleAfterMs: STALE_AFTER_MS,
    ...revocation,
  });
  const counters = createRedisCounterStore({ client, prefix, heartbeatMs: 50, staleAfterMs: STALE_AFTER_MS });
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
    revocation: { store: revocations, timeoutMs: 1000 },
    counterStore: counters,
    counterStoreFaults: { timeoutMs: 1000 },
    ...options,
  });
  await eventually(() => revocations.health().ready && counters.health().ready, readyMs);
  return {
    client,
    revocations,
    counters,
    guard,
    async close() {
      await guard.close();
      await revocations.close();
      await counters.close();
      client.disconnect();
    },
  };
}

/**
 * One redis-server for the test file (started before its tests, stopped after them); instances pushed on
 * `instances` are closed after each test.
 */
export function useRedisServer(): { server: () => RedisServer; readonly instances: Instance[] } {
  let server: RedisServer | undefined;
  const instances: Instance[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((instance) => instance.close()));
  });
  return { server: () => server as RedisServer, instances };
}

/** Two instances of one deployment `prefix` on the file's server, closed after the test. */
export async function startPair(
  redis: ReturnType<typeof useRedisServer>,
  prefix: string,
  revocation: RevocationSettings = {},
): Promise<[Instance, Instance]> {
  const a = await startInstance(redis.server(), prefix, {}, revocation);
  const b = await startInstance(redis.server(), prefix, {}, revocation);
  redis.instances.push(a, b);
  return [a, b];
}
