/**
 * The shared revocation deny-list: a replicated map (replicated-map.ts) — Redis holds the record, every
 * instance a full copy kept current by pub/sub, read without a round trip. The copy is trusted only while
 * its subscription is live: reconnecting, re-synchronising, or no heartbeat back for `staleAfterMs`, and
 * `find` fails — the guard then refuses with 503 `ERR_REVOCATION_UNAVAILABLE` and `Retry-After`, never an
 * allow of a token whose status it cannot know (checklist A10, A11).
 * `find` answers one turn of the event loop later: a revocation message that reached the instance's
 * socket before the request did is applied before the request is judged.
 */
import { ConfigError, NevertrustError, type RevocationStore } from '@nevertrust/core';
import { checkStoreOptions, type RedisStoreOptions } from './client.js';
import type { RedisStoreHealth } from './health.js';
import { storeKeys } from './keys.js';
import { checkHeartbeat, type HeartbeatOptions, openReplicatedMap } from './replicated-map.js';
import { encodeEntry, findRevocation } from './revocation-view.js';

/** Options of {@link createRedisRevocationStore}. */
export interface RedisRevocationStoreOptions extends RedisStoreOptions, HeartbeatOptions {
  /** Most entries this instance records through `add` while its copy holds that many. Default 1 000 000. */
  readonly maxEntries?: number;
  /**
   * `true`: `revokeToken`, `revokeSubject` and `revokeClient` (and the identity provider's signals) resolve
   * only once the propagation bound has passed — `staleAfterMs` after Redis recorded the entry — so every
   * instance already refuses the token when the call returns: each has applied the entry or, not having
   * heard from Redis since, answers 503. Default `false`: the call resolves when the revoking instance has
   * heard its own entry back, after which other instances refuse it almost always at once and always
   * within `staleAfterMs`.
   */
  readonly awaitBound?: boolean;
}

/** A revocation store that reports its health and can be closed. */
export interface RedisRevocationStore extends RevocationStore {
  health(): RedisStoreHealth;
  /** Stops the subscription (the command client stays the caller's). */
  close(): Promise<void>;
}

/**
 * Creates the shared revocation store of one instance.
 *
 * @example
 * ```ts
 * const client = new Redis({ host: 'redis.internal', ...REDIS_CLIENT_OPTIONS });
 * const revocations = createRedisRevocationStore({ client, prefix: 'orders-api' });
 * const guard = createGuard({ issuers, revocation: { store: revocations } });
 * ```
 */
export function createRedisRevocationStore(options: RedisRevocationStoreOptions): RedisRevocationStore {
  const where = 'createRedisRevocationStore()';
  checkStoreOptions(options, where);
  const timing = checkHeartbeat(options, where);
  const maxEntries = options.maxEntries ?? 1_000_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new ConfigError([`${where}.maxEntries: expected a positive integer`]);
  if (options.awaitBound !== undefined && typeof options.awaitBound !== 'boolean')
    throw new ConfigError([`${where}.awaitBound: expected a boolean`]);
  const keys = storeKeys(options.prefix);
  const map = openReplicatedMap({
    client: options.client,
    store: 'revocation',
    entries: keys.revocations,
    expiry: keys.revocationExpiry,
    channel: keys.revocationChannel,
    awaitBound: options.awaitBound === true,
    ...timing,
  });

  return {
    async add(entry, now) {
      if (entry.expiresAt <= now) return;
      if (map.size >= maxEntries) {
        throw new NevertrustError('ERR_REVOCATION_STORE_FULL', `revocation copy holds ${maxEntries} entries`);
      }
      const { field, values } = encodeEntry(entry);
      await map.write(field, values, now);
    },
    find: (query, now) => findRevocation(map, query, now),
    health: () => map.health(),
    close: () => map.close(),
  };
}
