/**
 * The per-peer limit of a signal endpoint. The endpoints are public and answered before the guard's admit
 * stage, so a peer could make the API read bodies and check signatures at line rate. What is counted is the
 * requests an endpoint refused that anyone could have sent — 400, 405, 413 for an unverifiable request, a
 * bad signature, a replayed or stale token, and 429 itself — per socket peer address, in a sliding window;
 * at the limit the peer is answered 429 with `Retry-After` without its body being read, until its count
 * slides back under the limit. A token whose signature verified never counts, applied or refused for its
 * content: a provider sending many genuine logout tokens at once (an administrator ending every session) is
 * never held back — Back-Channel Logout has no retry, so a throttled logout would be a logout lost — and only
 * a holder of the sender's key can produce one. The counts are in process and bounded (least recently used
 * peers first).
 */
import { retryAfterSeconds, slidingCount } from '../limits/sliding-window.js';
import { type CounterStore, createMemoryCounterStore } from '../limits/store.js';

/** How many refused requests a peer may send to one signal endpoint in a sliding window. */
export interface PeerLimitOptions {
  /** Refused requests allowed in any window of `windowSeconds`; the next one is answered 429. */
  readonly refusals: number;
  readonly windowSeconds: number;
}

/** The default: 30 refused requests per peer address per minute. */
export const DEFAULT_PEER_LIMIT: PeerLimitOptions = { refusals: 30, windowSeconds: 60 };

/** Peers whose counts are kept at most, per endpoint. */
const MAX_PEERS = 10_000;

/** The limit of one endpoint. */
export interface PeerLimiter {
  /** Seconds the peer must wait, when it is over the limit at `nowMs`; `undefined` when it may send. */
  blocked(peer: string | undefined, nowMs: number): Promise<number | undefined>;
  /** Counts one refused request of the peer (a 429 included), blocking it once it reaches the limit. */
  refused(peer: string | undefined, nowMs: number): Promise<void>;
}

/**
 * Creates the limiter of one endpoint, or `undefined` when the limit is off (`false`).
 *
 * @example
 * ```ts
 * const limiter = createPeerLimiter({ refusals: 30, windowSeconds: 60 });
 * if ((await limiter?.blocked(peer, Date.now())) !== undefined) answer429();
 * ```
 */
export function createPeerLimiter(
  options: PeerLimitOptions | false,
  store: CounterStore = createMemoryCounterStore({ maxKeys: MAX_PEERS, maxFlags: MAX_PEERS }),
): PeerLimiter | undefined {
  if (options === false) return undefined;
  const windowMs = options.windowSeconds * 1000;
  // A request without a socket address (an endpoint called in process) is one peer of its own.
  const keyOf = (peer: string | undefined) => peer ?? '';
  return {
    async blocked(peer, nowMs) {
      const until = await store.flag(`block:${keyOf(peer)}`, nowMs);
      return until === undefined ? undefined : Math.max(1, Math.ceil((until - nowMs) / 1000));
    },
    async refused(peer, nowMs) {
      const count = await store.increment(`count:${keyOf(peer)}`, windowMs, nowMs);
      if (slidingCount(count, windowMs, nowMs) < options.refusals) return;
      const wait = retryAfterSeconds(count, windowMs, nowMs, options.refusals);
      await store.setFlag(`block:${keyOf(peer)}`, nowMs + wait * 1000);
    },
  };
}
