/**
 * One attempt to fetch an issuer's key set: locate the JWKS URL (configured, or by discovery), fetch it,
 * parse it, and carry over the keys published again unchanged. Never throws: a failure comes back with its
 * stable code and URL, and the caller keeps its previous keys (stale-if-error).
 */
import {
  describeKeyFetchFailure,
  type KeyFetchFailure,
  type KeyFetchFailureCode,
} from './key-fetch-error.js';
import type { RefusedKey } from './key-hygiene.js';
import { carryOver, type KeySetChange } from './key-set-change.js';
import type { KeySet } from './keys.js';

/** What a remote key source reports about each fetch, for metrics and health. */
export interface KeyFetchReport {
  readonly issuer: string;
  readonly ok: boolean;
  /** When the attempt started, in milliseconds since the epoch on the guard's clock. */
  readonly at: number;
  readonly durationMs: number;
  readonly keyCount: number;
  /** Why the attempt failed, as a short message. */
  readonly error?: string;
  /** Why the attempt failed, as a stable code. */
  readonly code?: KeyFetchFailure['code'];
  /** The URL being fetched when known (the key set, or the discovery document when that failed). */
  readonly url?: string;
  /** Members of the fetched set refused by key hygiene (weak, private, not for verification, …). */
  readonly refusedKeys?: readonly RefusedKey[];
}

/** How to fetch one issuer's keys. */
export interface KeySetFetchSteps {
  readonly issuer: string;
  /** Returns the JWKS URL; may itself fetch discovery metadata. */
  readonly locate: () => Promise<string>;
  readonly fetchJson: (url: string) => Promise<unknown>;
  /** Turns the document into keys; throws when it is unusable. */
  readonly parse: (document: unknown) => KeySet;
}

/** The result of {@link fetchKeySet}. */
export interface KeySetFetch {
  readonly report: KeyFetchReport;
  readonly jwksUri: string | undefined;
  /** On success: the keys, previous key objects carried over. */
  readonly keys?: KeySet;
  /** On success, when keys were added or removed since `previous`. */
  readonly change?: KeySetChange;
  readonly failure?: KeyFetchFailure;
}

/**
 * Fetches and parses a key set once.
 *
 * @example
 * ```ts
 * const result = await fetchKeySet({ issuer, locate, fetchJson, parse }, previousKeys, Date.now());
 * if (result.keys) keys = result.keys;
 * ```
 */
export async function fetchKeySet(
  steps: KeySetFetchSteps,
  previous: KeySet | undefined,
  at: number,
): Promise<KeySetFetch> {
  const { issuer } = steps;
  // Duration is measured on the monotonic clock: the configured clock may be simulated.
  const started = performance.now();
  let stage: KeyFetchFailureCode = 'discovery';
  let url: string | undefined;
  try {
    url = await steps.locate();
    stage = 'unknown';
    const document = await steps.fetchJson(url);
    stage = 'invalid-key-set';
    const { keys, added, removed } = carryOver(previous, steps.parse(document));
    const durationMs = performance.now() - started;
    return {
      report: { issuer, ok: true, at, durationMs, keyCount: keys.size },
      jwksUri: url,
      keys,
      ...(added.length > 0 || removed.length > 0 ? { change: { issuer, added, removed } } : {}),
    };
  } catch (error) {
    const failure = describeKeyFetchFailure(error, stage, url, at);
    const { code, message, url: where } = failure;
    const durationMs = performance.now() - started;
    return {
      report: {
        issuer,
        ok: false,
        at,
        durationMs,
        keyCount: 0,
        error: message,
        code,
        ...(where ? { url: where } : {}),
      },
      jwksUri: url,
      failure,
    };
  }
}
