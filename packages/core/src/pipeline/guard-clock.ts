/**
 * The guard's reading of the configured clock. The clock is caller code: a fault or a non-finite time
 * must end in a deny (fail closed), never in a rejected promise, nor in comparisons with NaN that would
 * let every expiry and cache entry pass.
 */

/** The two readings of the clock the guard uses. */
export interface GuardClock {
  /** The time for decisions, in milliseconds; throws when the clock fails or gives a non-finite time. */
  readonly currentTime: () => number;
  /** The time for audit records: the clock's when it works, else the system's, so recording never fails. */
  readonly auditTime: () => number;
}

/**
 * Wraps the configured clock for decisions and for audit records.
 *
 * @example
 * ```ts
 * const { currentTime, auditTime } = guardClock(() => Date.now());
 * ```
 */
export function guardClock(clock: () => number): GuardClock {
  const currentTime = (): number => {
    const time = clock();
    if (!Number.isFinite(time)) throw new RangeError('clock returned a non-finite time');
    return time;
  };
  const auditTime = (): number => {
    try {
      return currentTime();
    } catch {
      return Date.now();
    }
  };
  return { currentTime, auditTime };
}
