/**
 * The shared counter store behind rate limits and anomaly detectors: each call is one Lua script (or one
 * GET) on one key — atomic across any number of instances, one round trip, Cluster-safe. A call that
 * fails or outlasts the client's `commandTimeout` rejects; the guard then refuses with 503
 * `ERR_LIMITS_UNAVAILABLE` and `Retry-After`, unless the operator chose `counterStoreFaults.failOpen`.
 */
import type { CounterStore } from '@nevertrust/core';
import { ConfigError } from '@nevertrust/core';
import { checkStoreOptions, type RedisStoreOptions } from './client.js';
import { errorName, type HealthReporting } from './health.js';
import { digest, storeKeys } from './keys.js';
import { withScripts } from './scripts.js';

/** Options of {@link createRedisCounterStore}. */
export interface RedisCounterStoreOptions extends RedisStoreOptions {
  /** Members remembered per distinct set (token-spread detector); counting stops there. Default 64. */
  readonly maxMembers?: number;
}

/** A counter store that reports its health. */
export type RedisCounterStore = CounterStore & HealthReporting;

/**
 * Creates the shared counter store.
 *
 * @example
 * ```ts
 * const counters = createRedisCounterStore({ client, prefix: 'orders-api' });
 * createGuard({ issuers, counterStore: counters, rateLimits: [{ by: 'principal', limit: 20, windowSeconds: 30 }] });
 * ```
 */
export function createRedisCounterStore(options: RedisCounterStoreOptions): RedisCounterStore {
  checkStoreOptions(options, 'createRedisCounterStore()');
  const maxMembers = options.maxMembers ?? 64;
  if (!Number.isInteger(maxMembers) || maxMembers < 1 || maxMembers > 10_000)
    throw new ConfigError(['createRedisCounterStore().maxMembers: expected an integer from 1 to 10000']);
  const client = withScripts(options.client);
  const keys = storeKeys(options.prefix);
  let lastError: string | undefined;
  let failing = false;
  let since = Date.now();
  // Listening also keeps ioredis from printing every reconnection failure as an unhandled error.
  client.on('error', (error: unknown) => {
    lastError = errorName(error);
  });
  const observe = <T>(call: Promise<T>): Promise<T> =>
    call.then(
      (value) => {
        if (failing) since = Date.now();
        failing = false;
        return value;
      },
      (error: unknown) => {
        if (!failing) since = Date.now();
        failing = true;
        lastError = errorName(error);
        throw error;
      },
    );

  return {
    async increment(key, windowMs, nowMs) {
      const index = Math.floor(nowMs / windowMs);
      const reply = client.nevertrustIncrement(keys.counter('window', key), index, windowMs);
      const [current, previous, stored] = await observe(reply);
      return { current, previous, windowStart: stored * windowMs };
    },
    distinct(key, member, windowMs, nowMs) {
      const set = keys.counter('distinct', key);
      return observe(client.nevertrustDistinct(set, digest(member), nowMs, windowMs, maxMembers));
    },
    async setFlag(key, untilMs) {
      await observe(client.nevertrustSetFlag(keys.counter('flag', key), Math.ceil(untilMs)));
    },
    async flag(key, nowMs) {
      const until = Number(await observe(client.get(keys.counter('flag', key))));
      return until > nowMs ? until : undefined;
    },
    health() {
      const ready = client.status === 'ready' && !failing;
      return {
        store: 'counters',
        ready,
        state: ready ? 'live' : 'down',
        since,
        lastError,
      };
    },
  };
}
