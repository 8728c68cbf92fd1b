/**
 * Keys fetched from a JWKS URL (given, or found by discovery), with the refresh rules of OIDC Core §10.1.1
 * and the guards of checklist K-6: the first unknown `kid` after a quiet period refetches at once (a key
 * published since the last fetch verifies on its first request), further unknown `kid`s refetch at most
 * once per cooldown counted from that refetch (a storm of random `kid`s costs one fetch per cooldown,
 * attack #24), concurrent fetches are coalesced, the last good keys keep serving for a bounded time while
 * the endpoint fails, and with no usable key left the answer is "unavailable" (503, fail closed).
 * A fetch that yields no usable key is a failed fetch (it never replaces good keys with nothing), and
 * every attempt is reported to `onFetch` once the source has settled.
 */
import { NevertrustError } from '../model/errors.js';
import type { SignatureAlgorithm } from '../token/algorithms.js';
import type { KeyFetchFailure } from './key-fetch-error.js';
import { remoteKeyHealth, type SourceHealth } from './key-health.js';
import type { RefusedKey } from './key-hygiene.js';
import type { KeySetChange } from './key-set-change.js';
import { fetchKeySet, type KeyFetchReport, type KeySetFetch } from './key-set-fetch.js';
import type { KeyResolution, KeySource } from './key-source.js';
import type { KeyMiss, KeySet, VerificationKey } from './keys.js';
import { parseJwks } from './parse-jwks.js';

/** Refresh timing of a remote key source, in milliseconds. */
export interface KeyRefreshTiming {
  /** Minimum time between two refetches caused by unknown `kid`s (the first one never waits). */
  readonly cooldownMs: number;
  /** Age after which keys are refreshed in the background. */
  readonly maxAgeMs: number;
  /** How long past `maxAgeMs` the last good keys keep serving while refreshes fail. */
  readonly staleIfErrorMs: number;
  /** Minimum time between attempts while no usable key is held. */
  readonly retryAfterFailureMs: number;
}

export type { KeyFetchReport } from './key-set-fetch.js';

/** Dependencies of a {@link RemoteKeySource}. */
export interface RemoteKeySourceInit {
  readonly issuer: string;
  /** Returns the JWKS URL; may itself fetch discovery metadata. */
  readonly locate: () => Promise<string>;
  readonly fetchJson: (url: string) => Promise<unknown>;
  readonly algorithms: readonly SignatureAlgorithm[];
  readonly timing: KeyRefreshTiming;
  readonly clock: () => number;
  readonly maxKeys: number;
  readonly onFetch?: ((report: KeyFetchReport) => void) | undefined;
  /** Called when a refetch finds keys added or removed (not on the first load). */
  readonly onChange?: ((change: KeySetChange) => void) | undefined;
}

/**
 * A key source backed by a remote JWKS endpoint.
 *
 * @example
 * ```ts
 * const source = new RemoteKeySource({ issuer, locate: async () => jwksUri, fetchJson, algorithms: ['RS256'],
 *   timing: { cooldownMs: 30_000, maxAgeMs: 600_000, staleIfErrorMs: 3_600_000, retryAfterFailureMs: 5000 },
 *   clock: Date.now, maxKeys: 100 });
 * const found = await source.resolve('key-1', 'RS256');
 * ```
 */
export class RemoteKeySource implements KeySource {
  readonly #init: RemoteKeySourceInit;
  #keys: KeySet | undefined;
  #jwksUri: string | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  /** When an unknown `kid` last started a refetch: the cooldown counts from here, not from any fetch. */
  #kidRefetchAt = Number.NEGATIVE_INFINITY;
  #lastError = 'keys not fetched yet';
  #lastFailure: KeyFetchFailure | undefined;
  #lastFetchOk = false;
  #inFlight: Promise<void> | undefined;

  constructor(init: RemoteKeySourceInit) {
    this.#init = init;
  }

  #usableKeys(now: number): KeySet | undefined {
    const { maxAgeMs, staleIfErrorMs } = this.#init.timing;
    return now - this.#fetchedAt <= maxAgeMs + staleIfErrorMs ? this.#keys : undefined;
  }

  /** One fetch at a time; every caller waits on the same one. */
  #refresh(): Promise<void> {
    this.#inFlight ??= this.#fetch();
    return this.#inFlight;
  }

  /** Stale but usable keys are refreshed behind the request that noticed (cache hits included). */
  #refreshIfStale(now: number): void {
    const { maxAgeMs, retryAfterFailureMs } = this.#init.timing;
    if (now - this.#fetchedAt > maxAgeMs && now - this.#attemptedAt >= retryAfterFailureMs) {
      void this.#refresh();
    }
  }

  async #fetch(): Promise<void> {
    const { issuer, clock, locate, fetchJson, algorithms, maxKeys } = this.#init;
    const at = clock();
    this.#attemptedAt = at;
    // Refused members are reported whether or not the set as a whole is usable.
    const refusedKeys: RefusedKey[] = [];
    const parse = (document: unknown) =>
      parseJwks(document, algorithms, maxKeys, (key) => refusedKeys.push(key));
    const fetched = await fetchKeySet({ issuer, locate, fetchJson, parse }, this.#keys, at);
    const result: KeySetFetch =
      refusedKeys.length > 0 ? { ...fetched, report: { ...fetched.report, refusedKeys } } : fetched;
    if (result.jwksUri !== undefined) this.#jwksUri = result.jwksUri;
    if (result.keys) {
      this.#keys = result.keys;
      this.#fetchedAt = clock();
      this.#lastFetchOk = true;
    } else {
      // A failed fetch (including a set with no usable key) keeps the previous keys (stale-if-error).
      this.#lastFailure = result.failure;
      this.#lastError = result.failure?.message ?? 'key fetch failed';
      this.#lastFetchOk = false;
    }
    // Settled before anyone hears of it, so a refresh asked for from the listener on starts a new fetch.
    // (`#fetch` has awaited by now, so `#refresh` has already stored this promise.)
    this.#inFlight = undefined;
    // A throwing listener must neither turn a good fetch into a failure nor reject a request.
    try {
      if (result.change) this.#init.onChange?.(result.change);
    } catch {}
    try {
      this.#init.onFetch?.(result.report);
    } catch {}
  }

  #unavailable(now: number, detail = `no usable keys: ${this.#lastError}`): KeyResolution {
    const wait = this.#attemptedAt + this.#init.timing.retryAfterFailureMs - now;
    return { kind: 'unavailable', retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)), detail };
  }

  // Synchronous while the held keys answer (measured in the benchmarks); a promise only where a fetch is awaited.
  resolve(kid: string | undefined, alg: SignatureAlgorithm): KeyResolution | Promise<KeyResolution> {
    const { clock, timing } = this.#init;
    const now = clock();
    const keys = this.#usableKeys(now);
    if (!keys) {
      if (!this.#inFlight && now - this.#attemptedAt < timing.retryAfterFailureMs)
        return this.#unavailable(now);
      return this.#resolveAfterFetch(kid, alg);
    }
    // Stale but usable: answer now, refresh behind the request.
    this.#refreshIfStale(now);
    return this.#lookUp(keys, kid, alg, now);
  }

  confirms(kid: string | undefined, key: VerificationKey): boolean {
    const now = this.#init.clock();
    // Past the stale bound the keys verify nothing: neither do the results they verified.
    const keys = this.#usableKeys(now);
    if (!keys) return false;
    this.#refreshIfStale(now);
    return keys.find(kid, key.alg) === key;
  }

  async #resolveAfterFetch(kid: string | undefined, alg: SignatureAlgorithm): Promise<KeyResolution> {
    await this.#refresh();
    const now = this.#init.clock();
    const keys = this.#usableKeys(now);
    if (!keys) return this.#unavailable(now);
    return this.#lookUp(keys, kid, alg, now);
  }

  #lookUp(
    keys: KeySet,
    kid: string | undefined,
    alg: SignatureAlgorithm,
    now: number,
  ): KeyResolution | Promise<KeyResolution> {
    const found = keys.find(kid, alg);
    if (found !== 'unknown-kid' || kid === undefined) return this.#answer(found, kid);
    // An unfamiliar kid may mean rotation (OIDC Core §10.1.1). A fetch already under way is joined: it
    // costs nothing extra and may bring the rotated key. Otherwise the first unknown kid after a quiet
    // period refetches at once — the cooldown counts from the last such refetch, never from a start-up
    // or scheduled fetch, so a key published since then is not refused for a whole cooldown — and random
    // kids cannot turn requests into a fetch storm (attack #24).
    if (this.#inFlight !== undefined) return this.#refetchFor(keys, kid, alg);
    if (now - this.#kidRefetchAt >= this.#init.timing.cooldownMs) {
      this.#kidRefetchAt = now;
      return this.#refetchFor(keys, kid, alg);
    }
    return this.#answer(found, kid);
  }

  async #refetchFor(keys: KeySet, kid: string, alg: SignatureAlgorithm): Promise<KeyResolution> {
    await this.#refresh();
    const current = this.#usableKeys(this.#init.clock()) ?? keys;
    return this.#answer(current.find(kid, alg), kid);
  }

  #answer(found: VerificationKey | KeyMiss, kid: string | undefined): KeyResolution {
    if (found === 'unknown-kid' && kid !== undefined && !this.#lastFetchOk) {
      // While the endpoint fails, an unfamiliar kid may be a key published since the last good fetch.
      // "invalid_token" would send the client for a new token that fails the same way: say "try later".
      return this.#unavailable(
        this.#init.clock(),
        `unknown kid while key refreshes fail: ${this.#lastError}`,
      );
    }
    return typeof found === 'string' ? { kind: 'miss', reason: found } : { kind: 'key', key: found };
  }

  async warmUp(): Promise<void> {
    const { clock, timing } = this.#init;
    // Fresh keys need no fetch: calling `ready()` twice must not double the load on the issuer.
    if (this.#keys && clock() - this.#fetchedAt <= timing.maxAgeMs) return;
    await this.#refresh();
    if (this.#usableKeys(this.#init.clock())) return;
    // Loud and specific: the code to alert on, the issuer configured and the URL that failed.
    const failure = this.#lastFailure;
    const where = failure?.url ? ` at ${failure.url}` : '';
    throw new NevertrustError(
      'ERR_KEYS_UNAVAILABLE',
      `no usable keys for issuer ${this.#init.issuer}: ${failure?.code ?? 'unknown'}${where}: ${this.#lastError}`,
    );
  }

  health(): SourceHealth {
    return remoteKeyHealth({
      issuer: this.#init.issuer,
      keys: this.#keys,
      jwksUri: this.#jwksUri,
      fetchedAt: this.#fetchedAt,
      attemptedAt: this.#attemptedAt,
      lastFailure: this.#lastFailure,
      maxAgeMs: this.#init.timing.maxAgeMs,
      staleIfErrorMs: this.#init.timing.staleIfErrorMs,
      now: this.#init.clock(),
    });
  }
}
