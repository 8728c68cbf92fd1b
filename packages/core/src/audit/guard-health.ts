/**
 * One answer to "can this instance serve?": per issuer the key set's state, age and last failure, per
 * audit sink whether it takes records, per store whether it faulted lately. What a readiness probe reads.
 * Store health is learnt where faults are counted (it is a {@link MetricsRecorder}): a store is
 * `failing` while its last fault is more recent than {@link STORE_RECOVERY_MS}.
 */
import type { KeySetHealth } from '../keys/key-health.js';
import type { ReportedStoreHealth, StoreFaultReport, StoreKind } from '../model/store-faults.js';
import type { AuditSinkStats } from './pipeline.js';
import type { MetricsRecorder } from './recorder.js';

/** How long after its last fault a store still counts as failing. */
export const STORE_RECOVERY_MS = 30_000;

/** The health of one store, as faults have shown it. */
export interface StoreHealth {
  readonly store: StoreKind;
  readonly state: 'ok' | 'failing';
  /** Faults since the guard started. */
  readonly faults: number;
  /** The most recent fault: when (ms since the epoch), its stable code and the error's name. */
  readonly lastFault?: { readonly at: number; readonly code: string; readonly cause: string };
  /** What the store says of itself, when it reports health (`@nevertrust/redis` stores do). */
  readonly reported?: ReportedStoreHealth;
}

/** Everything a readiness probe needs. */
export interface GuardHealth {
  /**
   * True when every token issuer has usable keys (fresh or stale), every audit sink takes records and no
   * store is failing: requests can be decided on their merits rather than refused with 503. A transmitter's
   * keys (`uses: ['security-event']`) do not count: without them its signals are refused, not requests.
   */
  readonly ready: boolean;
  /** Every key set: the token issuers' and the Shared Signals transmitters' (see `uses`). */
  readonly issuers: readonly KeySetHealth[];
  readonly sinks: readonly AuditSinkStats[];
  readonly stores: readonly StoreHealth[];
}

/** Tracks store faults for {@link GuardHealth}; its `recorder` goes with the guard's metrics recorders. */
export interface StoreHealthTracker {
  readonly recorder: MetricsRecorder;
  stores(): StoreHealth[];
}

/**
 * Creates the store-health tracker of a guard.
 *
 * @example
 * ```ts
 * const tracker = createStoreHealthTracker(clock);
 * const recorder = combineRecorders([...metrics, tracker.recorder]);
 * ```
 */
export function createStoreHealthTracker(clock: () => number): StoreHealthTracker {
  const seen = new Map<StoreKind, { faults: number; at: number; code: string; cause: string }>();
  return {
    recorder: {
      storeFault(report: StoreFaultReport) {
        const faults = (seen.get(report.store)?.faults ?? 0) + 1;
        seen.set(report.store, { faults, at: clock(), code: report.code, cause: report.cause });
      },
    },
    stores() {
      const now = clock();
      return [...seen].map(([store, { faults, at, code, cause }]) => ({
        store,
        state: now - at < STORE_RECOVERY_MS ? 'failing' : 'ok',
        faults,
        lastFault: { at, code, cause },
      }));
    },
  };
}

/**
 * Combines the parts into one health answer.
 *
 * @example
 * ```ts
 * const health = guardHealth(guard.keys.health(), guard.auditHealth(), tracker.stores());
 * ```
 */
export function guardHealth(
  issuers: readonly KeySetHealth[],
  sinks: readonly AuditSinkStats[],
  faulted: readonly StoreHealth[],
  reporting: ReadonlyMap<StoreKind, { health?(): ReportedStoreHealth }> = new Map(),
): GuardHealth {
  const stores = [...faulted];
  for (const [store, source] of reporting) {
    const reported = source.health?.();
    if (!reported) continue;
    const index = stores.findIndex((entry) => entry.store === store);
    const known = stores[index] ?? { store, state: 'ok' as const, faults: 0 };
    const merged: StoreHealth = { ...known, state: reported.ready ? known.state : 'failing', reported };
    if (index === -1) stores.push(merged);
    else stores[index] = merged;
  }
  const ready =
    issuers.every(
      (issuer) =>
        !issuer.uses.includes('access-token') || issuer.state === 'fresh' || issuer.state === 'stale',
    ) &&
    sinks.every((sink) => sink.healthy) &&
    stores.every((store) => store.state === 'ok');
  return { ready, issuers, sinks, stores };
}
