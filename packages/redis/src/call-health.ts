/**
 * The health of a store whose every answer is one Redis call (no local copy): it is failing from the
 * first call that rejects until the next one that resolves. What a readiness probe and the metric read.
 */
import { errorName, type RedisStoreHealth } from './health.js';

/** Tracks calls and reports the health they show. */
export interface CallHealth {
  /** Passes `call` through, noting whether it resolved or rejected. */
  observe<T>(call: Promise<T>): Promise<T>;
  /** The health of `store`, given whether its client is connected. */
  report(store: RedisStoreHealth['store'], connected: boolean): RedisStoreHealth;
}

/**
 * Starts tracking.
 *
 * @example
 * ```ts
 * const calls = createCallHealth();
 * const reply = await calls.observe(client.set(key, '1', 'PX', 1000, 'NX'));
 * calls.report('dpop-replay', client.status === 'ready').ready;
 * ```
 */
export function createCallHealth(): CallHealth {
  let lastError: string | undefined;
  let failing = false;
  let since = Date.now();
  return {
    observe: (call) =>
      call.then(
        (value) => {
          if (failing) since = Date.now();
          failing = false;
          return value;
        },
        (error: unknown) => {
          if (!failing) since = Date.now();
          failing = true;
          lastError = errorName(error);
          throw error;
        },
      ),
    report(store, connected) {
      const ready = connected && !failing;
      return { store, ready, state: ready ? 'live' : 'down', since, lastError };
    },
  };
}
