/**
 * @nevertrust/redis — shared state for many instances of a nevertrust-guarded API, on Redis through
 * ioredis (a peer dependency): the revocation deny-list, enforced by every instance on the next request
 * (a local copy kept current by pub/sub, trusted only while its subscription is live), and the counters
 * of rate limits and anomaly detectors (one atomic Lua script per call), and the replay stores of DPoP
 * proofs and of logout / Security Event Tokens (one `SET NX` per check). Redis down, slow or failing over
 * becomes 503 + `Retry-After` with a stable code, never a 500 and never an allow of a token whose
 * revocation status is unknown.
 *
 * @example
 * ```ts
 * import { createGuard } from '@nevertrust/core';
 * import { createRedisCounterStore, createRedisRevocationStore, REDIS_CLIENT_OPTIONS } from '@nevertrust/redis';
 * import { Redis } from 'ioredis';
 * const client = new Redis({ host: 'redis.internal', ...REDIS_CLIENT_OPTIONS });
 * const guard = createGuard({
 *   issuers,
 *   revocation: { store: createRedisRevocationStore({ client, prefix: 'orders-api' }) },
 *   counterStore: createRedisCounterStore({ client, prefix: 'orders-api' }),
 *   rateLimits: [{ by: 'principal', limit: 20, windowSeconds: 30 }],
 * });
 * ```
 *
 * @packageDocumentation
 */
export { REDIS_CLIENT_OPTIONS, type RedisClient, type RedisStoreOptions } from './client.js';
export {
  createRedisCounterStore,
  type RedisCounterStore,
  type RedisCounterStoreOptions,
} from './counter-store.js';
export {
  type HealthReporting,
  type RedisStoreHealth,
  redisStoreHealth,
  type StoreState,
} from './health.js';
export {
  createRedisDpopReplayStore,
  createRedisReplayStore,
  type RedisDpopReplayStore,
  type RedisReplayStore,
  type RedisReplayStoreOptions,
} from './replay-stores.js';
export { type HeartbeatOptions, ReplicaUnavailable } from './replicated-map.js';
export {
  createRedisRevocationStore,
  type RedisRevocationStore,
  type RedisRevocationStoreOptions,
} from './revocation-store.js';
