/**
 * The DPoP proof replay store (RFC 9449 §11.1): each proof is accepted once within the time it could be
 * accepted at all. Any store a guard is given answers one question atomically — "was this proof seen
 * before? if not, remember it until it expires" — so one implementation runs in process
 * (`memory-replay-store.ts`) and a shared one (a key-value store with an atomic set-if-absent and expiry)
 * can stand in for it when several instances serve the same API.
 */
import { hash } from 'node:crypto';
import type { ReportedStoreHealth } from '../model/store-faults.js';

/**
 * Remembers the DPoP proofs a guard accepted.
 *
 * The contract:
 * - `checkAndRemember(key, expiresAt, now)` returns (or resolves to) `true` when `key` was not recorded,
 *   or recorded with an expiry at or before `now`, and records it until `expiresAt`; `false` when it is
 *   recorded and not yet expired. Check and record are one atomic step: two concurrent calls with the same
 *   key never both return `true` (with a shared key-value store: one set-if-absent with an absolute expiry).
 * - `key` is at most 64 characters (base64url); `expiresAt` and `now` are seconds since the epoch.
 * - A store that cannot answer throws or rejects; so does a store that is full. The guard then refuses the
 *   request with 503 `ERR_DPOP_REPLAY_UNAVAILABLE` and `Retry-After`, never lets it through, and counts and
 *   publishes the fault like every store fault. A call that outlasts `dpop.replay.timeoutMs` is a fault too.
 * - Entries may be dropped once expired, never before: dropping a live entry would admit its replay.
 *
 * @example
 * ```ts
 * const store: DpopReplayStore = {
 *   checkAndRemember: (key, expiresAt) => kv.setIfAbsent(`dpop:${key}`, '1', { expiresAt }),
 * };
 * createGuard({ issuers, dpop: { origin: 'https://api.example.com', replay: { store } } });
 * ```
 */
export interface DpopReplayStore {
  checkAndRemember(key: string, expiresAt: number, now: number): boolean | PromiseLike<boolean>;
  /** Optional: whether the store can answer now (a shared store's link); read by `guard.health()`. */
  health?(): ReportedStoreHealth;
}

/**
 * The replay key of a proof: a hash of its key's thumbprint and its `jti`, so that two clients choosing
 * the same `jti` never collide, and an entry's size does not depend on what the client sent.
 *
 * @example
 * ```ts
 * replayKey('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I', 'e1j3V_bKic8-LAEB'); // 43 base64url characters
 * ```
 */
export function replayKey(jkt: string, jti: string): string {
  // Length-prefixed, so no choice of the two strings can spell another pair.
  return hash('sha256', `${jkt.length}:${jkt}${jti}`, 'base64url');
}
