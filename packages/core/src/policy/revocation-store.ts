/**
 * Where revocations live. The interface is small and asynchronous so `@nevertrust/redis` can share one
 * deny-list between instances; the default keeps it in process. Entries are keyed by issuer + token id,
 * subject, client or session (`sid`) — never by the raw token string, which ECDSA malleability would let an attacker vary
 * (attack #16; DESIGN §8 anti-pattern 8). Every entry carries its own end of life, so the list stays
 * bounded by the lifetime of the tokens it refuses.
 */

import { NevertrustError } from '../model/errors.js';
import type { ReportedStoreHealth } from '../model/store-faults.js';

/** One revocation. Times are seconds since the epoch. */
export type RevocationEntry =
  /** One token, until it would have expired anyway. */
  | { readonly kind: 'token'; readonly issuer: string; readonly tokenId: string; readonly expiresAt: number }
  /** Every token of a subject issued at or before `issuedBefore`. */
  | {
      readonly kind: 'subject';
      readonly issuer: string;
      readonly subject: string;
      readonly issuedBefore: number;
      readonly expiresAt: number;
    }
  /** Every token of a client issued at or before `issuedBefore`. */
  | {
      readonly kind: 'client';
      readonly issuer: string;
      readonly clientId: string;
      readonly issuedBefore: number;
      readonly expiresAt: number;
    }
  /**
   * Every token carrying this `sid` claim (an OpenID Connect session) issued at or before `issuedBefore`:
   * the session ended at the provider (back-channel logout, CAEP `session-revoked`).
   */
  | {
      readonly kind: 'session';
      readonly issuer: string;
      readonly sessionId: string;
      readonly issuedBefore: number;
      readonly expiresAt: number;
    }
  /**
   * Every token of a subject whose authentication (`auth_time`) is at or before `authenticatedBefore`,
   * however recently the token itself was issued: the subject must sign in again (CAEP
   * `assurance-level-change`). A token without `auth_time` is judged by its `iat`.
   */
  | {
      readonly kind: 'authentication';
      readonly issuer: string;
      readonly subject: string;
      readonly authenticatedBefore: number;
      readonly expiresAt: number;
    };

/** What a token is checked by. */
export interface RevocationQuery {
  readonly issuer: string;
  readonly tokenId: string | undefined;
  readonly subject: string | undefined;
  readonly clientId: string | undefined;
  /** `iat`; a token without one is treated as issued before any cut-off (fail closed). */
  readonly issuedAt: number | undefined;
  /** The token's `sid` claim, for session entries. */
  readonly sessionId?: string | undefined;
  /** The token's `auth_time`, for authentication entries; absent: its `iat` stands in. */
  readonly authenticatedAt?: number | undefined;
}

/**
 * A deny-list backend.
 *
 * @example
 * ```ts
 * const store: RevocationStore = createMemoryRevocationStore({ maxEntries: 50_000 });
 * createGuard({ issuers, revocation: { store } });
 * ```
 */
export interface RevocationStore {
  /** Records an entry; a later cut-off for the same subject or client replaces an earlier one. */
  add(entry: RevocationEntry, nowSeconds: number): Promise<void>;
  /** The entry revoking this token, if any. Expired entries never match. */
  find(
    query: RevocationQuery,
    nowSeconds: number,
  ): Promise<RevocationEntry | undefined> | RevocationEntry | undefined;
  /** Optional: whether the store can answer now (a shared store's link); read by `guard.health()`. */
  health?(): ReportedStoreHealth;
}

/**
 * Key of an entry in a store: never the token itself.
 *
 * @example
 * ```ts
 * redis.set(revocationKey('token', entry.issuer, entry.tokenId), JSON.stringify(entry));
 * ```
 */
export function revocationKey(kind: RevocationEntry['kind'], issuer: string, id: string): string {
  // NUL cannot occur in a JSON string claim unescaped by accident and separates the parts unambiguously.
  return `${kind}\u0000${issuer}\u0000${id}`;
}

/**
 * Whether an entry revokes the queried token (stores call it after looking an entry up by key).
 *
 * @example
 * ```ts
 * const entry = await lookUp(revocationKey('subject', query.issuer, query.subject));
 * return entry && revokes(entry, query) ? entry : undefined;
 * ```
 */
export function revokes(entry: RevocationEntry, query: RevocationQuery): boolean {
  if (entry.kind === 'token') return true;
  if (entry.kind === 'authentication') {
    // A token that says neither when its user authenticated nor when it was issued cannot show a sign-in
    // after the cut-off (fail closed).
    const at = query.authenticatedAt ?? query.issuedAt;
    return at === undefined || at <= entry.authenticatedBefore;
  }
  // A10: tokens issued at or before the cut-off second are refused.
  return query.issuedAt === undefined || query.issuedAt <= entry.issuedBefore;
}

/**
 * What an entry is keyed by, after its kind and issuer: the token id, subject, client or session.
 *
 * @example
 * ```ts
 * redis.set(revocationKey(entry.kind, entry.issuer, revocationEntryId(entry)), JSON.stringify(entry));
 * ```
 */
export function revocationEntryId(entry: RevocationEntry): string {
  switch (entry.kind) {
    case 'token':
      return entry.tokenId;
    case 'client':
      return entry.clientId;
    case 'session':
      return entry.sessionId;
    default:
      return entry.subject;
  }
}

/**
 * The keys a store looks up for a query, in the order the memory store checks them: one per entry kind
 * the token can be matched by.
 *
 * @example
 * ```ts
 * for (const [kind, id] of revocationLookups(query)) found ??= await lookUp(revocationKey(kind, query.issuer, id));
 * ```
 */
export function revocationLookups(query: RevocationQuery): [RevocationEntry['kind'], string][] {
  const lookups: [RevocationEntry['kind'], string | undefined][] = [
    ['token', query.tokenId],
    ['subject', query.subject],
    ['client', query.clientId],
    ['session', query.sessionId],
    ['authentication', query.subject],
  ];
  return lookups.filter((lookup): lookup is [RevocationEntry['kind'], string] => lookup[1] !== undefined);
}

/** Options of {@link createMemoryRevocationStore}. */
export interface MemoryRevocationStoreOptions {
  /** Most entries held at once. Default 100 000. */
  readonly maxEntries?: number;
}

/** A later cut-off for the same key (so of the same kind) never weakens an earlier one. */
function merge(older: RevocationEntry | undefined, entry: RevocationEntry): RevocationEntry {
  if (!older || older.kind === 'token' || entry.kind === 'token') return entry;
  const expiresAt = Math.max(older.expiresAt, entry.expiresAt);
  if (older.kind === 'authentication' || entry.kind === 'authentication') {
    const before = (cut: RevocationEntry) => (cut.kind === 'authentication' ? cut.authenticatedBefore : 0);
    return {
      ...entry,
      expiresAt,
      authenticatedBefore: Math.max(before(older), before(entry)),
    } as RevocationEntry;
  }
  return { ...entry, expiresAt, issuedBefore: Math.max(older.issuedBefore, entry.issuedBefore) };
}

/**
 * The in-process store: a map with per-entry expiry. When full it first drops expired entries; if it is
 * still full it refuses the new entry loudly rather than evicting a live one, because forgetting a
 * revocation would quietly re-admit a token.
 *
 * @example
 * ```ts
 * const store = createMemoryRevocationStore({ maxEntries: 10_000 });
 * ```
 */
export function createMemoryRevocationStore(options: MemoryRevocationStoreOptions = {}): RevocationStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, RevocationEntry>();
  const sweep = (now: number) => {
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  };
  const live = (key: string, now: number): RevocationEntry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined || entry.expiresAt > now) return entry;
    entries.delete(key);
    return undefined;
  };
  return {
    async add(entry, now) {
      if (entry.expiresAt <= now) return;
      const key = revocationKey(entry.kind, entry.issuer, revocationEntryId(entry));
      const older = live(key, now);
      if (!older && entries.size >= maxEntries) sweep(now);
      if (!older && entries.size >= maxEntries) {
        throw new NevertrustError(
          'ERR_REVOCATION_STORE_FULL',
          `revocation store holds ${maxEntries} live entries`,
        );
      }
      entries.set(key, merge(older, entry));
    },
    find(query, now) {
      if (entries.size === 0) return undefined;
      for (const [kind, id] of revocationLookups(query)) {
        const entry = live(revocationKey(kind, query.issuer, id), now);
        if (entry !== undefined && revokes(entry, query)) return entry;
      }
      return undefined;
    },
  };
}
