/**
 * Shared replay stores: a DPoP proof (RFC 9449 §11.1) and an event token's `jti` (BCL 1.0 §2.6,
 * RFC 8417 §2.2) are each accepted once across every instance. Each check is one `SET key 1 NX PX <ms>`:
 * atomic in Redis, one round trip, one key (so any Cluster slot will do — each key carries its own hash
 * tag, and the load spreads over the nodes). A key is a digest, never the raw `jti`, and it expires with
 * the window in which its token could be accepted at all. A call that fails or outlasts the client's
 * `commandTimeout` rejects; the guard then refuses with 503 (`ERR_DPOP_REPLAY_UNAVAILABLE` for a proof, the
 * signal endpoint's 503 for an event token) — never an allow.
 */
import type { DpopReplayStore, ReplayStore } from '@nevertrust/core/policy';
import { createCallHealth } from './call-health.js';
import { checkStoreOptions, type RedisClient, type RedisStoreOptions } from './client.js';
import type { HealthReporting, RedisStoreHealth } from './health.js';
import { digest } from './keys.js';

/** Options of {@link createRedisDpopReplayStore} and {@link createRedisReplayStore}. */
export type RedisReplayStoreOptions = RedisStoreOptions;

/** The shared DPoP proof replay store; reports its health. */
export interface RedisDpopReplayStore extends DpopReplayStore, HealthReporting {
  health(): RedisStoreHealth;
}

/** The shared event-token replay store of the signal endpoints; reports its health. */
export interface RedisReplayStore extends ReplayStore, HealthReporting {
  health(): RedisStoreHealth;
}

/**
 * Time to live in milliseconds, from this instance's clock: relative (`PX`), not absolute (`PXAT`), so
 * that a Redis server whose clock runs ahead cannot end an entry early and re-admit a replay.
 */
function ttlMs(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) * 1000));
}

function setOnce(client: RedisClient, key: string, expiresAt: number, now: number): Promise<boolean> {
  // 'OK' when the key was absent (now recorded), null when it is held: a replay.
  return client.set(key, '1', 'PX', ttlMs(expiresAt, now), 'NX').then((reply) => reply === 'OK');
}

/**
 * Creates the shared DPoP proof replay store of one instance: a proof accepted by any instance is refused
 * as replayed (`ERR_DPOP_REPLAY`) by every other while it could still be accepted. Redis keys are
 * `<prefix>:dpop:{<the core's replay key>}` — a SHA-256 of the proof key's thumbprint and the `jti`.
 *
 * @example
 * ```ts
 * const replay = createRedisDpopReplayStore({ client, prefix: 'orders-api' });
 * createGuard({ issuers, dpop: { origin: 'https://api.example.com', replay: { store: replay } } });
 * ```
 */
export function createRedisDpopReplayStore(options: RedisReplayStoreOptions): RedisDpopReplayStore {
  checkStoreOptions(options, 'createRedisDpopReplayStore()');
  const { client, prefix } = options;
  const calls = createCallHealth();
  return {
    checkAndRemember: (key, expiresAt, now) =>
      calls.observe(setOnce(client, `${prefix}:dpop:{${key}}`, expiresAt, now)),
    health: () => calls.report('dpop-replay', client.status === 'ready'),
  };
}

/**
 * Creates the shared replay store of the back-channel logout and Shared Signals endpoints: a logout
 * token or Security Event Token accepted by one instance is recognised as a replay by every other. Redis
 * keys are `<prefix>:signal:{<SHA-256 of issuer and jti>}`; `forget` deletes one again when its signal
 * could not be applied, so the sender's retry is not taken for a replay.
 *
 * @example
 * ```ts
 * const replay = createRedisReplayStore({ client, prefix: 'orders-api' });
 * createGuard({ issuers, backChannelLogout: { path: '/logout', clientIds: ['orders'], replay } });
 * ```
 */
export function createRedisReplayStore(options: RedisReplayStoreOptions): RedisReplayStore {
  checkStoreOptions(options, 'createRedisReplayStore()');
  const { client, prefix } = options;
  const calls = createCallHealth();
  const keyOf = (key: string) => `${prefix}:signal:{${digest(key)}}`;
  return {
    remember: (key, expiresAt, now) => calls.observe(setOnce(client, keyOf(key), expiresAt, now)),
    async forget(key) {
      await calls.observe(client.del(keyOf(key)));
    },
    health: () => calls.report('signal-replay', client.status === 'ready'),
  };
}
