/**
 * Store health, for readiness probes and the metric: whether a store can answer now, since when, and the
 * name (never the message, which may quote an address) of the last error.
 */

/** The state of a store's link to Redis. */
export type StoreState = 'live' | 'syncing' | 'down';

/**
 * One store's health.
 *
 * @example
 * ```ts
 * app.get('/ready', (_req, res) => res.status(revocations.health().ready ? 200 : 503).end());
 * ```
 */
export interface RedisStoreHealth {
  readonly store: 'revocation' | 'counters' | 'dpop-replay' | 'signal-replay';
  /** Whether the store answers requests now; when false, the guard refuses with 503 + Retry-After. */
  readonly ready: boolean;
  readonly state: StoreState;
  /** When the state last changed (milliseconds since the epoch). */
  readonly since: number;
  /** Name of the last error seen (`ReplyError`, `timeout`, …), if any. */
  readonly lastError?: string | undefined;
  /** Entries held in this instance's copy (revocations; flags for the counters). */
  readonly entries?: number | undefined;
}

/** A store that reports its health. */
export interface HealthReporting {
  health(): RedisStoreHealth;
}

/**
 * The health of each store, in the order given: a readiness check over all of them.
 *
 * @example
 * ```ts
 * const healthy = redisStoreHealth(revocations, counters).every((store) => store.ready);
 * ```
 */
export function redisStoreHealth(...stores: readonly HealthReporting[]): readonly RedisStoreHealth[] {
  return stores.map((store) => store.health());
}

/**
 * The name an error is reported under: its class name, never its message.
 *
 * @example
 * ```ts
 * errorName(new Error('Command timed out')); // 'Error'
 * ```
 */
export function errorName(error: unknown): string {
  if (error instanceof Error) return /timed? ?out/i.test(error.message) ? 'timeout' : error.name;
  return typeof error;
}
