/**
 * How revocation entries sit in a shared map: keyed like the core's in-process store (issuer + `jti`,
 * subject or client — never the token itself, checklist §0.4), valued `[issuedBefore, expiresAt]` in
 * seconds (`issuedBefore` 0 for a single token). Merging keeps the later of each, so a cut-off only ever
 * moves later.
 */
import { type RevocationEntry, type RevocationQuery, revocationKey, revokes } from '@nevertrust/core/policy';
import type { ReplicatedMap } from './replicated-map.js';

/**
 * The field an entry is stored under, and its values.
 *
 * @example
 * ```ts
 * encodeEntry({ kind: 'token', issuer, tokenId: 'j1', expiresAt: 1_900_000_000 }); // { field, values: [0, 1900000000] }
 * ```
 */
export function encodeEntry(entry: RevocationEntry): { field: string; values: [number, number] } {
  const id =
    entry.kind === 'token' ? entry.tokenId : entry.kind === 'subject' ? entry.subject : entry.clientId;
  const before = entry.kind === 'token' ? 0 : entry.issuedBefore;
  return { field: revocationKey(entry.kind, entry.issuer, id), values: [before, entry.expiresAt] };
}

async function match(
  map: ReplicatedMap,
  kind: RevocationEntry['kind'],
  id: string | undefined,
  query: RevocationQuery,
  now: number,
): Promise<RevocationEntry | undefined> {
  if (id === undefined) return undefined;
  const values = await map.read(revocationKey(kind, query.issuer, id), now);
  if (!values) return undefined;
  const { issuer } = query;
  const [issuedBefore = 0, expiresAt = 0] = values;
  const found: RevocationEntry =
    kind === 'token'
      ? { kind, issuer, tokenId: id, expiresAt }
      : kind === 'subject'
        ? { kind, issuer, subject: id, issuedBefore, expiresAt }
        : { kind, issuer, clientId: id, issuedBefore, expiresAt };
  return revokes(found, query) ? found : undefined;
}

/**
 * The entry of `map` revoking the queried token, if any; rejects when the map cannot be trusted. The
 * three look-ups are read in the same turn of the event loop, so they see one state of the copy.
 *
 * @example
 * ```ts
 * const entry = await findRevocation(map, { issuer, tokenId: 'j1', subject: 'alice', clientId: 'web', issuedAt }, now);
 * ```
 */
export async function findRevocation(
  map: ReplicatedMap,
  query: RevocationQuery,
  now: number,
): Promise<RevocationEntry | undefined> {
  const found = await Promise.all([
    match(map, 'token', query.tokenId, query, now),
    match(map, 'subject', query.subject, query, now),
    match(map, 'client', query.clientId, query, now),
  ]);
  return found.find((entry) => entry !== undefined);
}
