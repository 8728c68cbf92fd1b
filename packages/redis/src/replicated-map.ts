/**
 * A map shared by every instance and read locally: Redis holds the record (a hash of entries plus a
 * sorted set of their ends of life, so each entry expires on its own), and each instance holds a full
 * copy kept current by pub/sub on a live channel (live-channel.ts). A value is a list of numbers whose
 * last is its end of life, in seconds; two values of one field merge number by number, keeping the larger,
 * so copies converge whatever order writes arrive in and a merge never undoes a refusal. Reads fail while
 * the copy cannot be trusted; writes resolve once Redis has recorded and published them.
 */
import { ConfigError } from '@nevertrust/core';
import type { RedisClient } from './client.js';
import { createEchoes } from './echo.js';
import { errorName, type RedisStoreHealth } from './health.js';
import { openLiveChannel } from './live-channel.js';
import { withScripts } from './scripts.js';

/** Subscription timing of a store, in milliseconds. */
export interface HeartbeatOptions {
  /** Heartbeat interval of the subscription (50 to 10 000). Default 250. */
  readonly heartbeatMs?: number;
  /**
   * How long the local copy is trusted after the subscription's last sign of life (at least twice
   * `heartbeatMs`, at most 60 000). Default 1000: the bound of a write's delay on a silently partitioned
   * instance.
   */
  readonly staleAfterMs?: number;
}

/**
 * Validated timing, defaults applied.
 *
 * @example
 * ```ts
 * const { heartbeatMs, staleAfterMs } = checkHeartbeat(options, 'createRedisRevocationStore()');
 * ```
 */
export function checkHeartbeat(options: HeartbeatOptions, where: string): Required<HeartbeatOptions> {
  const heartbeatMs = options.heartbeatMs ?? 250;
  const staleAfterMs = options.staleAfterMs ?? 1000;
  const issues: string[] = [];
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 50 || heartbeatMs > 10_000)
    issues.push(`${where}.heartbeatMs: expected an integer from 50 to 10000`);
  if (!Number.isInteger(staleAfterMs) || staleAfterMs < 2 * heartbeatMs || staleAfterMs > 60_000)
    issues.push(`${where}.staleAfterMs: expected an integer from 2 × heartbeatMs to 60000`);
  if (issues.length > 0) throw new ConfigError(issues);
  return { heartbeatMs, staleAfterMs };
}

/** Where a map lives and how its subscription is timed. */
export interface ReplicatedMapSettings extends Required<HeartbeatOptions> {
  readonly client: RedisClient;
  readonly store: RedisStoreHealth['store'];
  /** Hash of entries, sorted set of ends of life (same hash tag), and the channel. */
  readonly entries: string;
  readonly expiry: string;
  readonly channel: string;
  /**
   * Whether `write` also waits until `staleAfterMs` has passed since Redis recorded the value: by then
   * every other instance has applied it or stopped trusting its copy (see {@link LiveChannel.isLive}).
   */
  readonly awaitBound?: boolean;
}

/** The local side of a shared map. */
export interface ReplicatedMap {
  readonly size: number;
  /**
   * Records `values` under `field` (merged) in Redis, publishes it, applies it here, and resolves once
   * this instance's own subscription has delivered it back (see echo.ts), or after `staleAfterMs`.
   */
  write(field: string, values: readonly number[], nowSeconds: number): Promise<void>;
  /**
   * The live values of `field`, one turn of the event loop later (`setImmediate`): a message that reached
   * this instance's socket before the caller's request did is applied first. Rejects with
   * {@link ReplicaUnavailable} while the copy may be behind Redis.
   */
  read(field: string, nowSeconds: number): Promise<readonly number[] | undefined>;
  /**
   * The live values of each of `fields`, in order, read together after one turn of the event loop: what
   * {@link read} gives for each, for the price of one deferral (a revocation lookup asks up to five).
   */
  readAll(fields: readonly string[], nowSeconds: number): Promise<(readonly number[] | undefined)[]>;
  health(): RedisStoreHealth;
  close(): Promise<void>;
}

/** Why a read cannot answer: the local copy may be behind Redis. */
export class ReplicaUnavailable extends Error {
  constructor(store: string, state: string) {
    super(`${store} copy is ${state}`);
    this.name = 'ReplicaUnavailable';
  }
}

/** Ended entries are forgotten (locally and in Redis) this often. */
const SWEEP_EVERY_MS = 60_000;

const parse = (value: string): number[] | undefined => {
  const numbers = value.split(' ').map(Number);
  return numbers.length > 0 && numbers.every(Number.isFinite) ? numbers : undefined;
};

/**
 * Opens a shared map; it becomes readable once subscribed and loaded.
 *
 * @example
 * ```ts
 * const flags = openReplicatedMap({ client, store: 'counters', entries, expiry, channel, heartbeatMs: 250, staleAfterMs: 1000 });
 * await flags.write('block:peer:x', [untilSeconds], nowSeconds);
 * ```
 */
export function openReplicatedMap(settings: ReplicatedMapSettings): ReplicatedMap {
  const client = withScripts(settings.client);
  const { entries, expiry, channel } = settings;
  const held = new Map<string, number[]>();
  let sweptAt = Date.now();
  let clientError: string | undefined;
  // Listening also keeps ioredis from printing every reconnection failure as an unhandled error.
  settings.client.on('error', (error: unknown) => {
    clientError = errorName(error);
  });

  const apply = (field: string, value: string) => {
    const numbers = parse(value);
    if (!numbers) return;
    const older = held.get(field);
    held.set(
      field,
      older ? numbers.map((number, index) => Math.max(number, older[index] ?? number)) : numbers,
    );
  };
  const echoes = createEchoes();
  const record = (field: string, value: string, now: number) =>
    client.nevertrustMerge(entries, expiry, field, value, String(now), channel);
  const write = async (field: string, value: string, now: number) => {
    let recordedAt = 0;
    const publish = async () => {
      const stored = await record(field, value, now);
      recordedAt = Date.now();
      apply(field, stored);
      return `${stored}\n${field}`;
    };
    await echoes.around(field, publish, settings.staleAfterMs);
    // Another instance trusts its copy only while a beat it sent within `staleAfterMs` has come back, and
    // beats share the subscription (and Redis's order) with the data: once that long has passed since the
    // record, an instance either heard a beat sent after it — so the value came first — or refuses.
    const remaining = settings.awaitBound ? recordedAt + settings.staleAfterMs - Date.now() : 0;
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  };

  async function resync(): Promise<void> {
    const present = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await client.hscan(entries, cursor, 'COUNT', 1000);
      for (let index = 0; index + 1 < flat.length; index += 2) {
        apply(flat[index] as string, flat[index + 1] as string);
        present.add(flat[index] as string);
      }
      cursor = next;
    } while (cursor !== '0');
    // Redis restarted without persistence (or failed over to a replica that had not caught up): write
    // back what this instance still holds, so an entry outlives the loss while any instance lives.
    const now = Date.now() / 1000;
    const missing = [...held].filter(([field, values]) => !present.has(field) && (values.at(-1) ?? 0) > now);
    await Promise.all(missing.map(([field, values]) => record(field, values.join(' '), now)));
  }

  const live = openLiveChannel({
    client: settings.client,
    channel,
    heartbeatMs: settings.heartbeatMs,
    staleAfterMs: settings.staleAfterMs,
    beat: (beatChannel, message) => client.nevertrustBeat(entries, beatChannel, message),
    onMessage(message) {
      const split = message.indexOf('\n');
      if (split <= 0) return;
      const field = message.slice(split + 1);
      apply(field, message.slice(0, split));
      echoes.heard(field, message);
    },
    resync,
    onBeat() {
      if (Date.now() - sweptAt < SWEEP_EVERY_MS) return;
      sweptAt = Date.now();
      const now = sweptAt / 1000;
      for (const [field, values] of held) if ((values.at(-1) ?? 0) <= now) held.delete(field);
      client.nevertrustPrune(entries, expiry, String(now)).catch(() => {});
    },
  });

  const liveValues = (field: string, now: number) => {
    const values = held.get(field);
    return values !== undefined && (values.at(-1) ?? 0) > now ? values : undefined;
  };
  function readAll(fields: readonly string[], now: number): Promise<(readonly number[] | undefined)[]> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        if (!live.isLive()) return reject(new ReplicaUnavailable(settings.store, live.state()));
        resolve(fields.map((field) => liveValues(field, now)));
      });
    });
  }

  return {
    get size() {
      return held.size;
    },
    write: (field, values, now) => write(field, values.join(' '), now),
    read: (field, now) => readAll([field], now).then((found) => found[0]),
    readAll,
    health: () => ({
      store: settings.store,
      ready: live.isLive(),
      state: live.state(),
      since: live.since(),
      lastError: live.lastError() ?? clientError,
      entries: held.size,
    }),
    close: () => live.close(),
  };
}
