/**
 * Continuing a request after its gate answered, whether the answer came now or as a promise, so adapters
 * keep the synchronous path when nothing had to be awaited (measured in the benchmarks).
 */

/**
 * Continues a request after `RequestGate.pass`: calls `next` at once when the gate said yes, does
 * nothing when it refused (the refusal is written), and otherwise returns the promise of doing so. A
 * synchronous throw (`denials: 'error'`) propagates to the caller; a later one rejects the promise.
 *
 * @example
 * ```ts
 * router.use((ctx, next) => proceed(gate.pass([requirement], routeInfo(ctx)), next));
 * ```
 */
export function proceed<T>(
  passed: boolean | Promise<boolean>,
  next: () => T,
): T | undefined | Promise<T | undefined> {
  if (passed === true) return next();
  if (passed === false) return undefined;
  return passed.then((allowed) => (allowed ? next() : undefined));
}
