/**
 * An instance's copy of the shared revocation list: every live entry, keyed like the core's in-process
 * store (issuer + `jti`, subject or client — never the token itself). Entries arrive as
 * `<issuedBefore> <expiresAt>` values from the Redis hash or the channel, and merge the way the core's
 * store merges them: a cut-off only ever moves later, so the order in which copies arrive never matters.
 */
import { type RevocationEntry, type RevocationQuery, revocationKey, revokes } from '@nevertrust/core/policy';

interface Held {
  readonly issuedBefore: number;
  readonly expiresAt: number;
}

/** The local copy. */
export interface RevocationView {
  readonly size: number;
  /** Merges one stored value (`<issuedBefore> <expiresAt>`) under its field. */
  apply(field: string, value: string): void;
  /** Merges one channel message (`<issuedBefore> <expiresAt> <field>`). */
  receive(message: string): void;
  /** The entry revoking the queried token, if any. */
  find(query: RevocationQuery, now: number): RevocationEntry | undefined;
  /** Live entries, as stored values by field. */
  entries(now: number): IterableIterator<[string, string]>;
  /** Forgets ended entries. */
  sweep(now: number): void;
}

/**
 * The field an entry is stored under, and its value.
 *
 * @example
 * ```ts
 * encodeEntry({ kind: 'token', issuer, tokenId: 'j1', expiresAt: 1_900_000_000 }); // { field, value: '0 1900000000' }
 * ```
 */
export function encodeEntry(entry: RevocationEntry): { field: string; value: string } {
  const id =
    entry.kind === 'token' ? entry.tokenId : entry.kind === 'subject' ? entry.subject : entry.clientId;
  const before = entry.kind === 'token' ? 0 : entry.issuedBefore;
  return { field: revocationKey(entry.kind, entry.issuer, id), value: `${before} ${entry.expiresAt}` };
}

const VALUE = /^(\S+) (\S+)$/;

/**
 * Creates an empty view.
 *
 * @example
 * ```ts
 * const view = createRevocationView();
 * view.receive('1700000000 1700003600 subject\u0000https://idp/\u0000alice');
 * ```
 */
export function createRevocationView(): RevocationView {
  const held = new Map<string, Held>();
  const live = (field: string, now: number) => {
    const entry = held.get(field);
    return entry !== undefined && entry.expiresAt > now ? entry : undefined;
  };
  const apply = (field: string, value: string) => {
    const match = VALUE.exec(value);
    const issuedBefore = Number(match?.[1]);
    const expiresAt = Number(match?.[2]);
    if (!Number.isFinite(issuedBefore) || !Number.isFinite(expiresAt)) return;
    const older = held.get(field);
    held.set(
      field,
      older
        ? {
            issuedBefore: Math.max(older.issuedBefore, issuedBefore),
            expiresAt: Math.max(older.expiresAt, expiresAt),
          }
        : { issuedBefore, expiresAt },
    );
  };
  const match = (
    kind: RevocationEntry['kind'],
    id: string | undefined,
    query: RevocationQuery,
    now: number,
  ): RevocationEntry | undefined => {
    if (id === undefined) return undefined;
    const entry = live(revocationKey(kind, query.issuer, id), now);
    if (!entry) return undefined;
    const { issuer } = query;
    const found: RevocationEntry =
      kind === 'token'
        ? { kind, issuer, tokenId: id, expiresAt: entry.expiresAt }
        : kind === 'subject'
          ? { kind, issuer, subject: id, ...entry }
          : { kind, issuer, clientId: id, ...entry };
    return revokes(found, query) ? found : undefined;
  };
  return {
    get size() {
      return held.size;
    },
    apply,
    receive(message) {
      const first = message.indexOf(' ');
      const second = message.indexOf(' ', first + 1);
      if (first < 0 || second < 0) return;
      apply(message.slice(second + 1), message.slice(0, second));
    },
    find(query, now) {
      if (held.size === 0) return undefined;
      return (
        match('token', query.tokenId, query, now) ??
        match('subject', query.subject, query, now) ??
        match('client', query.clientId, query, now)
      );
    },
    *entries(now) {
      for (const [field, entry] of held)
        if (entry.expiresAt > now) yield [field, `${entry.issuedBefore} ${entry.expiresAt}`];
    },
    sweep(now) {
      for (const [field, entry] of held) if (entry.expiresAt <= now) held.delete(field);
    },
  };
}
