/**
 * The `store-faults` guard profile: a revocation store and a counter store (behind a per-principal rate
 * limit) that fail for chosen subjects — by rejecting, or by never answering — so the store-fault cases
 * run on every target with real stores and real timeouts. Other subjects pass through to in-process stores.
 */
import {
  type CounterStore,
  createMemoryCounterStore,
  createMemoryRevocationStore,
  type RevocationStore,
} from '@nevertrust/core';
import type { Profile } from './profiles.js';

/** Subjects whose store calls fail, and how. */
export const STORE_SUBJECTS = {
  revocationDown: 'revocation-down',
  revocationHangs: 'revocation-hangs',
  countersDown: 'counters-down',
  countersHang: 'counters-hang',
} as const;

/** The bound of each store call in this profile, in milliseconds. */
export const STORE_TIMEOUT_MS = 200;

function misbehave(how: 'down' | 'hangs'): Promise<never> {
  return how === 'down' ? Promise.reject(new Error('store unreachable')) : new Promise<never>(() => {});
}

function revocationStore(): RevocationStore {
  const inner = createMemoryRevocationStore();
  return {
    add: (entry, now) => inner.add(entry, now),
    find(query, now) {
      if (query.subject === STORE_SUBJECTS.revocationDown) return misbehave('down');
      if (query.subject === STORE_SUBJECTS.revocationHangs) return misbehave('hangs');
      return inner.find(query, now);
    },
  };
}

function counterStore(): CounterStore {
  const inner = createMemoryCounterStore();
  // Principal keys end with the subject (`…:<issuer>\n<subject>`).
  const fault = (key: string) =>
    key.endsWith(`\n${STORE_SUBJECTS.countersDown}`)
      ? misbehave('down')
      : key.endsWith(`\n${STORE_SUBJECTS.countersHang}`)
        ? misbehave('hangs')
        : undefined;
  return {
    increment: (key, windowMs, nowMs) => fault(key) ?? inner.increment(key, windowMs, nowMs),
    distinct: (key, member, windowMs, nowMs) => fault(key) ?? inner.distinct(key, member, windowMs, nowMs),
    setFlag: (key, untilMs) => fault(key) ?? inner.setFlag(key, untilMs),
    flag: (key, nowMs) => fault(key) ?? inner.flag(key, nowMs),
  };
}

/** Each target gets its own stores (no target sees another's counters). */
export const STORE_FAULTS_PROFILE: Profile = {
  options: async (base) => ({
    ...base,
    revocation: { store: revocationStore(), timeoutMs: STORE_TIMEOUT_MS },
    counterStore: counterStore(),
    counterStoreFaults: { timeoutMs: STORE_TIMEOUT_MS },
    rateLimits: [{ by: 'principal', limit: 1_000_000, windowSeconds: 60 }],
  }),
};
