/**
 * Values that are sometimes ready and sometimes not. A cache hit with in-process stores has nothing to
 * wait for, and every `await` would still cost a promise and a microtask per stage (measured in the benchmarks); stores that
 * really are asynchronous (Redis) keep working because a pending value is chained, never dropped.
 */

/** A value now, or one to wait for (a store may return any thenable, as `await` accepts). */
export type MaybePromise<T> = T | PromiseLike<T>;

/**
 * Whether a value is a promise or any other thenable, as `await` would treat it.
 *
 * @example
 * ```ts
 * isThenable(Promise.resolve(1)); // true
 * isThenable(undefined); // false
 * ```
 */
export function isThenable<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Whether a value is a native promise: the cheap test for values this library produced itself, where a
 * foreign thenable cannot occur (a property lookup of `then` on every plain result costs more).
 *
 * @example
 * ```ts
 * if (isPromise(outcome)) return outcome.then(finish);
 * ```
 */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}
