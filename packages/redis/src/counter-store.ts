/**
 * The shared counter store behind rate limits and anomaly detectors. Window counts and distinct sets are
 * one Lua script on one key per call — atomic across any number of instances, one round trip,
 * Cluster-safe. Flags (blocks, a detector's once-per-window mark) are few and read on every request, so
 * they live in a replicated map (replicated-map.ts): set through Redis, read from this instance's copy
 * without a round trip, refused while that copy cannot be trusted. A call that fails or outlasts the
 * client's `commandTimeout` rejects; the guard then refuses with 503 `ERR_LIMITS_UNAVAILABLE` and
 * `Retry-After`, unless the operator chose `counterStoreFaults.failOpen`.
 */
import type { CounterStore } from '@nevertrust/core';
import { ConfigError } from '@nevertrust/core';
import { createCallHealth } from './call-health.js';
import { checkStoreOptions, type RedisStoreOptions } from './client.js';
import type { RedisStoreHealth } from './health.js';
import { digest, storeKeys } from './keys.js';
import { checkHeartbeat, type HeartbeatOptions, openReplicatedMap } from './replicated-map.js';
import { withScripts } from './scripts.js';

/** Options of {@link createRedisCounterStore}. */
export interface RedisCounterStoreOptions extends RedisStoreOptions, HeartbeatOptions {
  /** Members remembered per distinct set (token-spread detector); counting stops there. Default 64. */
  readonly maxMembers?: number;
}

/** A counter store that reports its health and can be closed. */
export interface RedisCounterStore extends CounterStore {
  health(): RedisStoreHealth;
  /** Stops the flags' subscription (the command client stays the caller's). */
  close(): Promise<void>;
}

/**
 * Creates the shared counter store of one instance.
 *
 * @example
 * ```ts
 * const counters = createRedisCounterStore({ client, prefix: 'orders-api' });
 * createGuard({ issuers, counterStore: counters, rateLimits: [{ by: 'principal', limit: 20, windowSeconds: 30 }] });
 * ```
 */
export function createRedisCounterStore(options: RedisCounterStoreOptions): RedisCounterStore {
  const where = 'createRedisCounterStore()';
  checkStoreOptions(options, where);
  const timing = checkHeartbeat(options, where);
  const maxMembers = options.maxMembers ?? 64;
  if (!Number.isInteger(maxMembers) || maxMembers < 1 || maxMembers > 10_000)
    throw new ConfigError([`${where}.maxMembers: expected an integer from 1 to 10000`]);
  const client = withScripts(options.client);
  const keys = storeKeys(options.prefix);
  const flags = openReplicatedMap({
    client: options.client,
    store: 'counters',
    entries: keys.flags,
    expiry: keys.flagExpiry,
    channel: keys.flagChannel,
    ...timing,
  });
  const calls = createCallHealth();
  const observe = calls.observe;

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
      await observe(flags.write(digest(key), [untilMs / 1000], Date.now() / 1000));
    },
    async flag(key, nowMs) {
      const values = await flags.read(digest(key), nowMs / 1000);
      const until = values === undefined ? undefined : Math.round((values[0] ?? 0) * 1000);
      return until !== undefined && until > nowMs ? until : undefined;
    },
    health() {
      const copy = flags.health();
      const own = calls.report('counters', client.status === 'ready');
      const ready = copy.ready && own.ready;
      return {
        store: 'counters',
        ready,
        state: ready ? 'live' : copy.state === 'live' ? 'down' : copy.state,
        since: Math.max(own.since, copy.since),
        lastError: own.lastError ?? copy.lastError,
        entries: copy.entries,
      };
    },
    close: () => flags.close(),
  };
}
