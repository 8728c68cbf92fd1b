/**
 * The counter store behind rate limits and anomaly detectors (DESIGN §5). Three primitives that map onto
 * Redis one-to-one (INCR on a window key; a sorted set of members by time; a key with an expiry), so a
 * shared store for many API instances implements the same interface. The in-process store is bounded:
 * least recently used keys are forgotten first, and blocks live apart from counters so that flooding the
 * store with fresh addresses cannot evict an offender's block.
 */

import { LruMap } from '../model/lru-map.js';
import type { ReportedStoreHealth } from '../model/store-faults.js';

/** Counts of a sliding window, kept as two fixed windows (current and previous). */
export interface WindowCount {
  /** Events in the current fixed window, this one included. */
  readonly current: number;
  /** Events in the fixed window before it. */
  readonly previous: number;
  /** Start of the current fixed window, in milliseconds (a multiple of the window length). */
  readonly windowStart: number;
}

/**
 * State shared by rate limits and detectors. Every method may be asynchronous (a network store).
 *
 * @example
 * ```ts
 * const store: CounterStore = createMemoryCounterStore({ maxKeys: 100_000 });
 * const counts = await store.increment('rl:peer:203.0.113.7', 60_000, Date.now());
 * ```
 */
export interface CounterStore {
  /** Counts one event for `key` in the fixed window of `windowMs` containing `nowMs`. */
  increment(key: string, windowMs: number, nowMs: number): Promise<WindowCount>;
  /** Notes `member` under `key` and returns how many distinct members were seen in the last `windowMs`. */
  distinct(key: string, member: string, windowMs: number, nowMs: number): Promise<number>;
  /** Sets a flag (a block, a suppression) on `key` until `untilMs`. */
  setFlag(key: string, untilMs: number): Promise<void>;
  /** When the flag on `key` ends, if it is set at `nowMs`. */
  flag(key: string, nowMs: number): Promise<number | undefined>;
  /** Optional: whether the store can answer now (a shared store's link); read by `guard.health()`. */
  health?(): ReportedStoreHealth;
}

/** Bounds of the in-process store. */
export interface MemoryCounterStoreOptions {
  /** Window counters and distinct-member sets kept at most (each). Default 100 000. */
  readonly maxKeys?: number;
  /** Members remembered per distinct set; counting stops there. Default 64. */
  readonly maxMembers?: number;
  /** Flags (blocks, suppressions) kept at most. Default 100 000. */
  readonly maxFlags?: number;
}

interface Window {
  index: number;
  current: number;
  previous: number;
}

/**
 * Creates the bounded in-process store.
 *
 * @example
 * ```ts
 * createGuard({ issuers, counterStore: createMemoryCounterStore({ maxKeys: 20_000 }), rateLimits });
 * ```
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions = {}): CounterStore {
  const windows = new LruMap<string, Window>(options.maxKeys ?? 100_000);
  const sets = new LruMap<string, Map<string, number>>(options.maxKeys ?? 100_000);
  const flags = new LruMap<string, number>(options.maxFlags ?? 100_000);
  const maxMembers = options.maxMembers ?? 64;
  return {
    async increment(key, windowMs, nowMs) {
      const index = Math.floor(nowMs / windowMs);
      const entry = windows.get(key);
      let next: Window;
      if (entry?.index === index) next = { index, current: entry.current + 1, previous: entry.previous };
      else if (entry?.index === index - 1) next = { index, current: 1, previous: entry.current };
      else next = { index, current: 1, previous: 0 };
      windows.set(key, next);
      return { current: next.current, previous: next.previous, windowStart: index * windowMs };
    },
    async distinct(key, member, windowMs, nowMs) {
      let seen = sets.get(key);
      if (!seen) {
        seen = new Map();
        sets.set(key, seen);
      }
      // Map order is insertion order: re-inserting keeps the oldest member first, for pruning.
      seen.delete(member);
      seen.set(member, nowMs);
      for (const [name, at] of seen) {
        if (at > nowMs - windowMs && seen.size <= maxMembers) break;
        seen.delete(name);
      }
      return seen.size;
    },
    async setFlag(key, untilMs) {
      flags.set(key, Math.max(untilMs, flags.get(key) ?? 0));
    },
    async flag(key, nowMs) {
      const until = flags.get(key);
      if (until === undefined) return undefined;
      if (until <= nowMs) {
        flags.delete(key);
        return undefined;
      }
      return until;
    },
  };
}
