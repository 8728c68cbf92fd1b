/**
 * What an operator can see about each issuer's keys, for health checks and metrics: how old the key set
 * is, when it was last refreshed, the last failure with its stable code and URL, and what was withdrawn.
 * Times are milliseconds since the epoch on the guard's clock.
 */
import type { KeyFetchFailure } from './key-fetch-error.js';
import type { KeySet } from './keys.js';

/**
 * - `fresh`: keys younger than `maxAgeMs` (static keys are always fresh);
 * - `stale`: older than `maxAgeMs` but within `staleIfErrorMs` past it, still verifying while refreshes fail;
 * - `unusable`: past that bound, or never loaded after a failed attempt — requests for the issuer get 503;
 * - `not-loaded`: nothing fetched nor attempted yet.
 */
export type KeySetState = 'fresh' | 'stale' | 'unusable' | 'not-loaded';

/**
 * What a key set verifies: an issuer's access tokens, its back-channel logout tokens (the same key set), or
 * a Shared Signals transmitter's Security Event Tokens (a key set of its own).
 */
export type KeyUse = 'access-token' | 'logout-token' | 'security-event';

/**
 * The health of one issuer's (or transmitter's) key set.
 *
 * @example
 * ```ts
 * for (const health of guard.keys.health())
 *   if (health.state !== 'fresh') log.warn(health.issuer, health.state, health.lastFailure?.code);
 * ```
 */
export interface KeySetHealth {
  readonly issuer: string;
  readonly source: 'static' | 'remote';
  /**
   * What the key set verifies. A transmitter that is also a token issuer has two entries: its SET keys are
   * fetched and held apart from its token keys.
   */
  readonly uses: readonly KeyUse[];
  readonly state: KeySetState;
  /** Keys held (withdrawn ones included: they stay in the set but never verify). */
  readonly keyCount: number;
  /** The `kid`s of the keys held, in the order published. */
  readonly keyIds: readonly string[];
  /** The JWKS URL, once known (configured, or found by discovery). */
  readonly jwksUri?: string;
  /** When the keys held were fetched. */
  readonly fetchedAt?: number;
  /** How old the keys held are. */
  readonly ageMs?: number;
  /** After this time the keys held stop verifying unless a refresh succeeds. */
  readonly usableUntil?: number;
  /** When a fetch was last started, successful or not. */
  readonly lastAttemptAt?: number;
  /** The last failed fetch; kept after later successes, compare `at` with `fetchedAt`. */
  readonly lastFailure?: KeyFetchFailure;
  /** What the operator withdrew ({@link KeyControl}). */
  readonly withdrawn: { readonly issuer: boolean; readonly keyIds: readonly string[] };
}

/** A key source's own report: {@link KeySetHealth} before the guard adds what the keys are used for. */
export type HeldKeyHealth = Omit<KeySetHealth, 'uses'>;

/** A key set's state and what it verifies, for the operational log of a fetch. */
export type KeyHealthSummary = Pick<KeySetHealth, 'state' | 'usableUntil' | 'uses'>;

/** The source-specific part of {@link KeySetHealth}, before withdrawals and uses are added. */
export type SourceHealth = Omit<HeldKeyHealth, 'withdrawn'>;

/**
 * The `kid`s of a list of keys, leaving out keys without one.
 *
 * @example
 * ```ts
 * keyIdsOf(keySet.list()); // ['2025-06', '2025-07']
 * ```
 */
export function keyIdsOf(keys: readonly { readonly kid: string | undefined }[]): string[] {
  const ids: string[] = [];
  for (const key of keys) if (key.kid !== undefined) ids.push(key.kid);
  return ids;
}

/** What a remote key source knows about its keys, for {@link remoteKeyHealth}. */
export interface RemoteKeyState {
  readonly issuer: string;
  readonly keys: KeySet | undefined;
  readonly jwksUri: string | undefined;
  readonly fetchedAt: number;
  /** `-Infinity` when nothing was attempted yet. */
  readonly attemptedAt: number;
  readonly lastFailure: KeyFetchFailure | undefined;
  readonly maxAgeMs: number;
  readonly staleIfErrorMs: number;
  readonly now: number;
}

/**
 * The health of a remote key set at `now`.
 *
 * @example
 * ```ts
 * remoteKeyHealth({ issuer, keys, jwksUri, fetchedAt, attemptedAt, lastFailure, maxAgeMs, staleIfErrorMs, now });
 * ```
 */
export function remoteKeyHealth(state: RemoteKeyState): SourceHealth {
  const { keys, fetchedAt, attemptedAt, lastFailure, maxAgeMs, staleIfErrorMs } = state;
  const attempted = attemptedAt !== Number.NEGATIVE_INFINITY;
  const age = state.now - fetchedAt;
  let status: KeySetState = attempted ? 'unusable' : 'not-loaded';
  if (keys && age <= maxAgeMs) status = 'fresh';
  else if (keys && age <= maxAgeMs + staleIfErrorMs) status = 'stale';
  return {
    issuer: state.issuer,
    source: 'remote',
    state: status,
    keyCount: keys?.size ?? 0,
    keyIds: keys ? keyIdsOf(keys.list()) : [],
    ...(state.jwksUri ? { jwksUri: state.jwksUri } : {}),
    ...(keys ? { fetchedAt, ageMs: age, usableUntil: fetchedAt + maxAgeMs + staleIfErrorMs } : {}),
    ...(attempted ? { lastAttemptAt: attemptedAt } : {}),
    ...(lastFailure ? { lastFailure } : {}),
  };
}
