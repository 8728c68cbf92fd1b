/**
 * The one path every store fault takes — the revocation deny-list, the rate-limit and detector counters,
 * and any store added later. A store call that throws, rejects or outlasts its timeout becomes a
 * {@link StoreFault}; {@link createStoreFaultHandler} turns it into a refusal with 503, `Retry-After` and
 * the store's own code, counts it (`MetricsRecorder.storeFault`) and publishes it on the
 * {@link STORE_FAULT_CHANNEL} diagnostics channel. A store that cannot answer never becomes a 500 and never
 * an allow: a cache, a store or a sink must not decide what a fresh check would refuse. The one exception
 * is an operator's explicit choice to fail the counters open (a rate limiter that is down should not take
 * the API with it); that is still counted and published. Revocation never fails open: a revoked token
 * would pass (checklist A10, A11), and neither does the DPoP replay store: a replayed proof would pass
 * (RFC 9449 §11.1).
 */
import { channel } from 'node:diagnostics_channel';
import { isThenable } from './maybe-async.js';

/** The stores a guard asks on a request's path. A new store adds its kind and its code here. */
export type StoreKind = 'revocation' | 'counters' | 'dpop-replay';

/** What a store says of itself when it reports health (a shared store: whether its link is up). */
export interface ReportedStoreHealth {
  /** Whether the store answers requests now. */
  readonly ready: boolean;
}

/** The stable code of each store kind's fault. */
export const STORE_FAULT_CODES = {
  revocation: 'ERR_REVOCATION_UNAVAILABLE',
  counters: 'ERR_LIMITS_UNAVAILABLE',
  'dpop-replay': 'ERR_DPOP_REPLAY_UNAVAILABLE',
} as const satisfies Record<StoreKind, string>;

/** A store fault's code. */
export type StoreFaultCode = (typeof STORE_FAULT_CODES)[StoreKind];

/** `Retry-After` of a store fault refusal, in seconds. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** Default bound of one store call, in milliseconds. */
export const DEFAULT_STORE_TIMEOUT_MS = 1000;

/**
 * The diagnostics channel each store fault is published on, as a {@link StoreFaultReport}: the guard's
 * operational log line (the core has no logger of its own).
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(STORE_FAULT_CHANNEL, (report) => logger.warn(report, 'nevertrust store fault'));
 * ```
 */
export const STORE_FAULT_CHANNEL = 'nevertrust:store-fault';

/** What is counted and published for one store fault. Never carries a key, a token or an address. */
export interface StoreFaultReport {
  readonly store: StoreKind;
  readonly code: StoreFaultCode;
  /** The thrown error's name (`TypeError`, `ReplyError`…), or `timeout`. */
  readonly cause: string;
  /** True when the operator chose to fail this store open and the request went on. */
  readonly failedOpen: boolean;
}

/**
 * A store call that threw, rejected or timed out.
 *
 * @example
 * ```ts
 * if (error instanceof StoreFault) return handleStoreFault(error);
 * ```
 */
export class StoreFault extends Error {
  readonly store: StoreKind;
  /** The thrown error's name, or `timeout`. */
  readonly reason: string;

  constructor(store: StoreKind, reason: string) {
    super(`${store} store ${reason === 'timeout' ? 'timed out' : `failed: ${reason}`}`);
    this.name = 'StoreFault';
    this.store = store;
    this.reason = reason;
  }
}

/**
 * The fault a store's error is: only its name is kept, since a message may quote a key or an address.
 *
 * @example
 * ```ts
 * toStoreFault('revocation', new TypeError('socket hang up')).reason; // 'TypeError'
 * ```
 */
export function toStoreFault(store: StoreKind, error: unknown): StoreFault {
  return error instanceof StoreFault
    ? error
    : new StoreFault(store, error instanceof Error ? error.name : typeof error);
}

/**
 * Calls a store, turning a throw, a rejection or (with `timeoutMs`) a hang into a {@link StoreFault}. A
 * synchronous answer stays synchronous: the in-process stores cost no promise and no timer (measured in the benchmarks).
 *
 * @example
 * ```ts
 * const entry = await callStore('revocation', 1000, () => store.find(query, now));
 * ```
 */
export function callStore<T>(
  store: StoreKind,
  timeoutMs: number | undefined,
  call: () => T | PromiseLike<T>,
): T | Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = call();
  } catch (error) {
    throw toStoreFault(store, error);
  }
  if (!isThenable(result)) return result;
  const pending = result;
  return new Promise<T>((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => reject(new StoreFault(store, 'timeout')), timeoutMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(toStoreFault(store, error));
      },
    );
  });
}

/** The refusal a store fault becomes. */
export interface StoreRefusal {
  readonly code: StoreFaultCode;
  readonly detail: string;
  readonly retryAfterSeconds: number;
}

/** Settings of {@link createStoreFaultHandler}. */
export interface StoreFaultSettings {
  /** Stores the operator chose to fail open; only `counters` is ever honoured here. */
  readonly failOpen: ReadonlySet<StoreKind>;
  /** Counts the fault (metrics). */
  readonly count: (report: StoreFaultReport) => void;
}

/**
 * Creates the handler every store fault goes through: a refusal, or `undefined` when the store fails open.
 *
 * @example
 * ```ts
 * const onFault = createStoreFaultHandler({ failOpen: new Set(), count: recorder.storeFault });
 * const refusal = onFault(new StoreFault('counters', 'timeout')); // { code: 'ERR_LIMITS_UNAVAILABLE', … }
 * ```
 */
export function createStoreFaultHandler(
  settings: StoreFaultSettings,
): (fault: StoreFault) => StoreRefusal | undefined {
  const published = channel(STORE_FAULT_CHANNEL);
  return (fault) => {
    const code = STORE_FAULT_CODES[fault.store];
    // Only the counters may fail open: a revoked token or a replayed DPoP proof would pass.
    const failedOpen = fault.store === 'counters' && settings.failOpen.has(fault.store);
    const report: StoreFaultReport = { store: fault.store, code, cause: fault.reason, failedOpen };
    try {
      settings.count(report);
      if (published.hasSubscribers) published.publish(report);
    } catch {
      // A faulty subscriber must not turn a deliberate 503 into a 500.
    }
    if (failedOpen) return undefined;
    return { code, detail: fault.message, retryAfterSeconds: STORE_RETRY_AFTER_SECONDS };
  };
}
