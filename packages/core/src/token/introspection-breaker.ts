/**
 * A circuit breaker for one introspection endpoint: after `failures` consecutive failures it opens for
 * `openMs`, and requests are refused at once (503 with `Retry-After`) instead of each waiting out a
 * timeout against a provider that is down — which would tie up the API's connections and hammer the
 * provider as it recovers. After the open period one round of calls is let through again; a success
 * closes the breaker, a failure opens it again.
 */

/** When a breaker opens and for how long. */
export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  readonly failures: number;
  /** How long an open breaker refuses without calling. */
  readonly openMs: number;
}

/** The defaults of `introspection.breaker`. */
export const DEFAULT_BREAKER: BreakerSettings = { failures: 5, openMs: 10_000 };

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
 * const breaker = createBreaker({ failures: 5, openMs: 10_000 });
 * if (breaker.openFor(Date.now()) > 0) return unavailable();
 * ```
 */
export function createBreaker(settings: BreakerSettings = DEFAULT_BREAKER): Breaker {
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
      if (failures < settings.failures || openUntil > nowMs) return false;
      openUntil = nowMs + settings.openMs;
      return true;
    },
  };
}
