/**
 * Sliding-window counting from two fixed windows: the previous window's count, weighted by how much of it
 * still overlaps the sliding window, plus the current window's count. Constant memory per key and one
 * atomic increment per event, at the price of assuming events were spread evenly in the previous window.
 */
import type { WindowCount } from './store.js';

/**
 * Events in the `windowMs` ending at `nowMs`, estimated.
 *
 * @example
 * ```ts
 * slidingCount({ current: 3, previous: 10, windowStart: 60_000 }, 60_000, 90_000); // 10 × 0.5 + 3 = 8
 * ```
 */
export function slidingCount(count: WindowCount, windowMs: number, nowMs: number): number {
  const elapsed = Math.min(Math.max(nowMs - count.windowStart, 0), windowMs);
  return count.previous * (1 - elapsed / windowMs) + count.current;
}

/**
 * Whole seconds (at least 1) until one more event would keep the estimate within `limit`: the value of a
 * `Retry-After` header (RFC 9110 §10.2.3) after a refusal.
 *
 * @example
 * ```ts
 * retryAfterSeconds({ current: 100, previous: 0, windowStart: 0 }, 60_000, 30_000, 100); // 31
 * ```
 */
export function retryAfterSeconds(
  count: WindowCount,
  windowMs: number,
  nowMs: number,
  limit: number,
): number {
  const elapsed = Math.min(Math.max(nowMs - count.windowStart, 0), windowMs);
  const room = limit - 1 - count.current;
  let waitMs: number;
  if (room >= 0 && count.previous > 0) {
    // Still in this window: wait until enough of the previous window has slid out.
    waitMs = windowMs * (1 - room / count.previous) - elapsed;
  } else if (room >= 0) {
    waitMs = 0;
  } else {
    // Next window: the current count becomes the weighted previous one.
    const slide = count.current > 0 ? windowMs * (1 - (limit - 1) / count.current) : 0;
    waitMs = windowMs - elapsed + Math.max(slide, 0);
  }
  // Whole milliseconds first, so floating-point dust cannot add a second.
  return Math.max(1, Math.ceil(Math.round(waitMs) / 1000));
}
