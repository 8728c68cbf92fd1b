/**
 * The revocation API (assume breach): refuse one token by issuer + `jti` until it would have expired, or
 * every token of a subject or client issued up to a point in time (a session revoked, an account disabled,
 * a client credential leaked — checklist A10, A11). The guard checks it on every request, after the
 * verified-token cache, so a cached token is refused as soon as it is revoked.
 */
import * as z from 'zod/mini';
import { parseOrThrow } from '../model/config-issues.js';
import { ConfigError } from '../model/errors.js';
import { lazySchema } from '../model/lazy-schema.js';
import { isThenable } from '../model/maybe-async.js';
import type { Principal } from '../model/principal.js';
import {
  callStore,
  createStoreFaultHandler,
  STORE_RETRY_AFTER_SECONDS,
  type StoreFault,
  type StoreRefusal,
  toStoreFault,
} from '../model/store-faults.js';
import type { RevocationEntry, RevocationQuery, RevocationStore } from './revocation-store.js';

/** Revokes tokens. Times are seconds since the epoch. */
export interface Revocation {
  /** One token by its issuer and `jti`. `expiresAt` defaults to the longest lifetime the issuer allows. */
  revokeToken(target: { issuer: string; tokenId: string; expiresAt?: number }): Promise<void>;
  /** Every token of `subject` issued at or before `issuedBefore` (default: now). */
  revokeSubject(target: { issuer: string; subject: string; issuedBefore?: number }): Promise<void>;
  /** Every token of `clientId` issued at or before `issuedBefore` (default: now). */
  revokeClient(target: { issuer: string; clientId: string; issuedBefore?: number }): Promise<void>;
  /**
   * Every token carrying the `sid` claim `sessionId` issued at or before `issuedBefore` (default: now): an
   * OpenID Connect session ended at the provider. Tokens without a `sid` claim are not matched.
   */
  revokeSession(target: { issuer: string; sessionId: string; issuedBefore?: number }): Promise<void>;
  /**
   * Every token of `subject` whose `auth_time` (else `iat`) is at or before `authenticatedBefore` (default:
   * now), however recently it was issued: the subject must authenticate again.
   */
  revokeAuthentication(target: {
    issuer: string;
    subject: string;
    authenticatedBefore?: number;
  }): Promise<void>;
}

/** Why a token is refused by the revocation check. */
export interface RevocationRefusal {
  readonly code: 'ERR_TOKEN_REVOKED' | 'ERR_REVOCATION_UNAVAILABLE';
  readonly detail: string;
  /** Set on `ERR_REVOCATION_UNAVAILABLE` (503). */
  readonly retryAfterSeconds?: number;
}

/** The guard's side of revocation: the API plus the per-request check. */
export interface RevocationService extends Revocation {
  /**
   * Synchronous when the store answers synchronously (the in-process store does), so a cache hit does not
   * pay for a promise per request; a store returning a promise gets one back.
   */
  check(
    principal: Principal,
    nowSeconds: number,
  ): RevocationRefusal | undefined | Promise<RevocationRefusal | undefined>;
}

const refusalFor = (entry: RevocationEntry | undefined): RevocationRefusal | undefined =>
  entry ? { code: 'ERR_TOKEN_REVOKED', detail: `revoked by ${entry.kind} entry` } : undefined;

/** Settings of {@link createRevocationService}. */
export interface RevocationSettings {
  readonly store: RevocationStore;
  /** Issuer identifier → longest token lifetime it is allowed, in seconds. */
  readonly maxLifetimeByIssuer: ReadonlyMap<string, number>;
  readonly clockToleranceSeconds: number;
  /** Current time in milliseconds. */
  readonly clock: () => number;
  /** Bound of one `find` call that returns a promise, in milliseconds. Default: unbounded. */
  readonly timeoutMs?: number | undefined;
  /** The guard's store-fault path (counted and published); default: refuse without reporting. */
  readonly onFault?: ((fault: StoreFault) => StoreRefusal | undefined) | undefined;
}

const UNREPORTED = createStoreFaultHandler({ failOpen: new Set(), count: () => {} });

// What each revocation call accepts, checked like every other input a user writes (by zod, at the call).
const targets = lazySchema(() => {
  const text = z
    .string({ error: 'expected a non-empty string' })
    .check(z.minLength(1, 'expected a non-empty string'));
  const epochSeconds = z.optional(z.number({ error: 'expected seconds since the epoch' }));
  return {
    token: z.object({ issuer: text, tokenId: text, expiresAt: epochSeconds }),
    subject: z.object({ issuer: text, subject: text, issuedBefore: epochSeconds }),
    client: z.object({ issuer: text, clientId: text, issuedBefore: epochSeconds }),
    session: z.object({ issuer: text, sessionId: text, issuedBefore: epochSeconds }),
    authentication: z.object({ issuer: text, subject: text, authenticatedBefore: epochSeconds }),
  };
});

/**
 * Creates the revocation service of a guard.
 *
 * @example
 * ```ts
 * const revocation = createRevocationService({ store, maxLifetimeByIssuer, clockToleranceSeconds: 5, clock: Date.now });
 * await revocation.revokeSubject({ issuer: 'https://idp.example.com/', subject: 'user-42' });
 * ```
 */
export function createRevocationService(settings: RevocationSettings): RevocationService {
  const { store, maxLifetimeByIssuer, clockToleranceSeconds, clock } = settings;
  const onFault = settings.onFault ?? UNREPORTED;
  // A deny-list that cannot be read must not let revoked tokens through: always closed, whatever the
  // handler says about other stores.
  const unavailable = (error: unknown): RevocationRefusal => {
    const fault = toStoreFault('revocation', error);
    const refusal = onFault(fault);
    return {
      code: 'ERR_REVOCATION_UNAVAILABLE',
      detail: refusal?.detail ?? fault.message,
      retryAfterSeconds: refusal?.retryAfterSeconds ?? STORE_RETRY_AFTER_SECONDS,
    };
  };
  const now = () => {
    const seconds = clock() / 1000;
    // A NaN cut-off would match nothing: a revocation that silently does not revoke.
    if (!Number.isFinite(seconds)) throw new RangeError('clock returned a non-finite time');
    return seconds;
  };
  const lifetimeOf = (issuer: string, where: string): number => {
    const lifetime = maxLifetimeByIssuer.get(issuer);
    if (lifetime === undefined) throw new ConfigError([`${where}.issuer: expected a configured issuer`]);
    return lifetime + clockToleranceSeconds;
  };
  const add = (entry: RevocationEntry) => store.add(entry, now());
  // A subject- or client-wide cut-off: once every token issued up to it has expired, the entry has
  // nothing left to refuse.
  const cutOff = (
    where: string,
    target: { readonly issuer: string; readonly issuedBefore?: number | undefined },
  ) => {
    const issuedBefore = target.issuedBefore ?? now();
    return { issuedBefore, expiresAt: issuedBefore + lifetimeOf(target.issuer, where) };
  };

  // A cached token's principal is the same object on every hit: its query is built once while it keeps
  // coming back (one entry; a pool of tokens simply builds one per request, as before). Stores only read
  // it (`RevocationQuery` is read-only).
  let lastPrincipal: Principal | undefined;
  let lastQuery: RevocationQuery | undefined;
  const queryOf = (principal: Principal): RevocationQuery => {
    if (principal === lastPrincipal && lastQuery !== undefined) return lastQuery;
    lastQuery = {
      issuer: principal.issuer,
      tokenId: principal.tokenId,
      subject: principal.subject,
      clientId: principal.clientId,
      issuedAt: principal.issuedAt,
      sessionId: typeof principal.claims.sid === 'string' ? principal.claims.sid : undefined,
      authenticatedAt: principal.authentication.authTime,
    };
    lastPrincipal = principal;
    return lastQuery;
  };

  return {
    async revokeToken(input) {
      const { issuer, tokenId, expiresAt } = parseOrThrow(targets().token, input, 'revokeToken()');
      const lifetime = lifetimeOf(issuer, 'revokeToken()');
      // Kept past exp by the clock tolerance, during which the token itself would still verify.
      await add({
        kind: 'token',
        issuer,
        tokenId,
        expiresAt: (expiresAt ?? now() + lifetime) + clockToleranceSeconds,
      });
    },
    async revokeSubject(input) {
      const target = parseOrThrow(targets().subject, input, 'revokeSubject()');
      const { issuer, subject } = target;
      await add({ kind: 'subject', issuer, subject, ...cutOff('revokeSubject()', target) });
    },
    async revokeClient(input) {
      const target = parseOrThrow(targets().client, input, 'revokeClient()');
      const { issuer, clientId } = target;
      await add({ kind: 'client', issuer, clientId, ...cutOff('revokeClient()', target) });
    },
    async revokeSession(input) {
      const target = parseOrThrow(targets().session, input, 'revokeSession()');
      const { issuer, sessionId } = target;
      await add({ kind: 'session', issuer, sessionId, ...cutOff('revokeSession()', target) });
    },
    async revokeAuthentication(input) {
      const target = parseOrThrow(targets().authentication, input, 'revokeAuthentication()');
      const { issuer, subject } = target;
      const { issuedBefore, expiresAt } = cutOff('revokeAuthentication()', {
        issuer,
        issuedBefore: target.authenticatedBefore,
      });
      await add({ kind: 'authentication', issuer, subject, authenticatedBefore: issuedBefore, expiresAt });
    },
    check(principal, nowSeconds) {
      try {
        const query = queryOf(principal);
        const found = callStore('revocation', settings.timeoutMs, () => store.find(query, nowSeconds));
        // Synchronous for the in-process store: no promise per request on a cache hit (measured in the benchmarks).
        return isThenable(found) ? Promise.resolve(found).then(refusalFor, unavailable) : refusalFor(found);
      } catch (error) {
        return unavailable(error);
      }
    },
  };
}
