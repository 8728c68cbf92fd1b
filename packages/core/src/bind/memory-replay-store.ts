/**
 * The in-process DPoP replay store: a bounded map from replay key to expiry. Bounded in size and time —
 * entries leave once expired — and, when full of live entries, it refuses to answer rather than forget a
 * live entry (which would admit that proof's replay): the guard turns that into a 503 (fail closed).
 */
import type { DpopReplayStore } from './replay-store.js';

/** Options of {@link createMemoryDpopReplayStore}. */
export interface MemoryDpopReplayStoreOptions {
  /** Most live entries held. Default 100 000 (about 10 MB). */
  readonly maxEntries?: number;
}

/** Thrown by the in-process store when it holds `maxEntries` live entries. */
export class DpopReplayStoreFullError extends Error {
  constructor() {
    super('the DPoP replay store is full');
    this.name = 'DpopReplayStoreFullError';
  }
}

/**
 * Creates an in-process replay store. Entries are checked and recorded synchronously, so an in-process
 * guard costs no promise for it.
 *
 * @example
 * ```ts
 * createGuard({ issuers, dpop: { origin, replay: { store: createMemoryDpopReplayStore({ maxEntries: 50_000 }) } } });
 * ```
 */
export function createMemoryDpopReplayStore(options: MemoryDpopReplayStoreOptions = {}): DpopReplayStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be at least 1');
  // Insertion order: proofs arrive in roughly the order they expire, so the oldest are first to go.
  const entries = new Map<string, number>();
  // No entry expires before this time: while it is ahead, a full map has nothing to sweep.
  let earliestExpiry = Number.POSITIVE_INFINITY;

  function dropExpiredHead(now: number): void {
    for (let dropped = 0; dropped < 2; dropped++) {
      const oldest = entries.entries().next();
      if (oldest.done || oldest.value[1] > now) return;
      entries.delete(oldest.value[0]);
    }
  }

  function sweep(now: number): void {
    earliestExpiry = Number.POSITIVE_INFINITY;
    for (const [key, expiresAt] of entries) {
      if (expiresAt <= now) entries.delete(key);
      else if (expiresAt < earliestExpiry) earliestExpiry = expiresAt;
    }
  }

  return {
    checkAndRemember(key, expiresAt, now) {
      const known = entries.get(key);
      if (known !== undefined && known > now) return false;
      if (known !== undefined) entries.delete(key);
      dropExpiredHead(now);
      if (entries.size >= maxEntries && earliestExpiry <= now) sweep(now);
      if (entries.size >= maxEntries) throw new DpopReplayStoreFullError();
      entries.set(key, expiresAt);
      if (expiresAt < earliestExpiry) earliestExpiry = expiresAt;
      return true;
    },
  };
}
