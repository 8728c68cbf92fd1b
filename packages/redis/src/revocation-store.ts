/**
 * The shared revocation deny-list. Redis holds the record (a hash of entries plus an expiry index, so
 * each entry ends with the tokens it covers); every instance holds a full copy, kept current by pub/sub,
 * and answers `find` from it without a round trip. The copy is trusted only while its subscription is
 * live (see live-channel.ts): reconnecting, re-synchronising, or a ping unanswered for `staleAfterMs`, and
 * `find` fails — the guard then refuses with 503 `ERR_REVOCATION_UNAVAILABLE` and `Retry-After`, never
 * an allow of a token whose status it cannot know (checklist A10, A11).
 *
 * `find` answers one turn of the event loop later (`setImmediate`): a revocation message that reached
 * the instance's socket before the request did is applied before the request is judged.
 */
import { ConfigError, NevertrustError, type RevocationStore } from '@nevertrust/core';
import { checkStoreOptions, type RedisStoreOptions } from './client.js';
import { errorName, type HealthReporting } from './health.js';
import { storeKeys } from './keys.js';
import { openLiveChannel } from './live-channel.js';
import { createRevocationView, encodeEntry } from './revocation-view.js';
import { withScripts } from './scripts.js';

/** Options of {@link createRedisRevocationStore}. */
export interface RedisRevocationStoreOptions extends RedisStoreOptions {
  /** Ping interval of the subscription, in milliseconds (50 to 10 000). Default 250. */
  readonly heartbeatMs?: number;
  /**
   * How long the local copy is trusted after the subscription's last sign of life, in milliseconds (at
   * least twice `heartbeatMs`, at most 60 000). Default 1000. The bound of a revocation's delay on a
   * silently partitioned instance.
   */
  readonly staleAfterMs?: number;
  /** Most entries this instance records through `add` while its copy holds that many. Default 1 000 000. */
  readonly maxEntries?: number;
}

/** A revocation store that reports its health and can be closed. */
export interface RedisRevocationStore extends RevocationStore, HealthReporting {
  /** Stops the subscription (the command client stays the caller's). */
  close(): Promise<void>;
}

/** Why `find` cannot answer: the local copy may be behind Redis. */
export class RevocationViewUnavailable extends Error {
  constructor(state: string) {
    super(`revocation view is ${state}`);
    this.name = 'RevocationViewUnavailable';
  }
}

/** Ended entries are forgotten (locally and in Redis) this often. */
const SWEEP_EVERY_MS = 60_000;

function checkTimes(options: RedisRevocationStoreOptions) {
  const heartbeatMs = options.heartbeatMs ?? 250;
  const staleAfterMs = options.staleAfterMs ?? 1000;
  const maxEntries = options.maxEntries ?? 1_000_000;
  const issues: string[] = [];
  const where = 'createRedisRevocationStore()';
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 50 || heartbeatMs > 10_000)
    issues.push(`${where}.heartbeatMs: expected an integer from 50 to 10000`);
  if (!Number.isInteger(staleAfterMs) || staleAfterMs < 2 * heartbeatMs || staleAfterMs > 60_000)
    issues.push(`${where}.staleAfterMs: expected an integer from 2 × heartbeatMs to 60000`);
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    issues.push(`${where}.maxEntries: expected a positive integer`);
  if (issues.length > 0) throw new ConfigError(issues);
  return { heartbeatMs, staleAfterMs, maxEntries };
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
  checkStoreOptions(options, 'createRedisRevocationStore()');
  const { heartbeatMs, staleAfterMs, maxEntries } = checkTimes(options);
  const client = withScripts(options.client);
  const keys = storeKeys(options.prefix);
  const view = createRevocationView();
  let sweptAt = Date.now();
  let clientError: string | undefined;
  // Listening also keeps ioredis from printing every reconnection failure as an unhandled error.
  options.client.on('error', (error: unknown) => {
    clientError = errorName(error);
  });

  const write = async (field: string, value: string, cutoff: boolean, now: number) => {
    const [before = '0', ends = '0'] = value.split(' ');
    const stored = await client.nevertrustRevoke(
      keys.revocations,
      keys.revocationExpiry,
      field,
      cutoff ? '1' : '0',
      before,
      ends,
      String(now),
      keys.revocationChannel,
    );
    view.apply(field, stored);
  };

  async function resync(): Promise<void> {
    const present = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await client.hscan(keys.revocations, cursor, 'COUNT', 1000);
      for (let index = 0; index + 1 < flat.length; index += 2) {
        const field = flat[index] as string;
        view.apply(field, flat[index + 1] as string);
        present.add(field);
      }
      cursor = next;
    } while (cursor !== '0');
    // Redis restarted without persistence (or failed over to a replica that had not caught up): write
    // back what this instance still holds, so a revocation outlives the loss while any instance lives.
    const now = Date.now() / 1000;
    const missing = [...view.entries(now)].filter(([field]) => !present.has(field));
    await Promise.all(missing.map(([field, value]) => write(field, value, !field.startsWith('token'), now)));
  }

  const live = openLiveChannel({
    client: options.client,
    channel: keys.revocationChannel,
    heartbeatMs,
    staleAfterMs,
    onMessage: (message) => view.receive(message),
    resync,
    onBeat() {
      if (Date.now() - sweptAt < SWEEP_EVERY_MS) return;
      sweptAt = Date.now();
      const now = sweptAt / 1000;
      view.sweep(now);
      client.nevertrustPruneRevocations(keys.revocations, keys.revocationExpiry, String(now)).catch(() => {});
    },
  });

  return {
    async add(entry, now) {
      if (entry.expiresAt <= now) return;
      if (view.size >= maxEntries) view.sweep(now);
      if (view.size >= maxEntries) {
        throw new NevertrustError(
          'ERR_REVOCATION_STORE_FULL',
          `revocation view holds ${maxEntries} live entries`,
        );
      }
      const { field, value } = encodeEntry(entry);
      await write(field, value, entry.kind !== 'token', now);
    },
    find(query, now) {
      return new Promise((resolve, reject) => {
        setImmediate(() => {
          if (!live.isLive()) reject(new RevocationViewUnavailable(live.state()));
          else resolve(view.find(query, now));
        });
      });
    },
    health() {
      const ready = live.isLive();
      return {
        store: 'revocation',
        ready,
        state: live.state(),
        since: live.since(),
        lastError: live.lastError() ?? clientError,
        entries: view.size,
      };
    },
    close: () => live.close(),
  };
}
