/**
 * A circuit breaker for one introspection endpoint: after {@link FAILURES_TO_OPEN} consecutive failures it
 * opens for {@link OPEN_MS}, and requests are refused at once (503 with `Retry-After`) instead of each
 * waiting out a timeout against a provider that is down — which would tie up the API's connections and
 * hammer the provider as it recovers. After the open period one round of calls is let through again; a
 * success closes the breaker, a failure opens it again.
 */

/** Consecutive failures that open the breaker. */
export const FAILURES_TO_OPEN = 5;
/** How long an open breaker refuses without calling. */
export const OPEN_MS = 10_000;

/** The state of one breaker. */
export interface Breaker {
  /** Milliseconds until calls are let through again, or 0 when they may be made now. */
  openFor(nowMs: number): number;
  /** Records a call's result; returns true when this failure opened the breaker. */
  record(ok: boolean, nowMs: number): boolean;
}

/**
 * Creates a closed breaker.
 *
 * @example
 * ```ts
 * const breaker = createBreaker();
 * if (breaker.openFor(Date.now()) > 0) return unavailable();
 * ```
 */
export function createBreaker(): Breaker {
  let failures = 0;
  let openUntil = 0;
  return {
    openFor: (nowMs) => Math.max(0, openUntil - nowMs),
    record(ok, nowMs) {
      if (ok) {
        failures = 0;
        openUntil = 0;
        return false;
      }
      failures += 1;
      if (failures < FAILURES_TO_OPEN || openUntil > nowMs) return false;
      openUntil = nowMs + OPEN_MS;
      return true;
    },
  };
}
