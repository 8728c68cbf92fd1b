/**
 * How revocation entries sit in a shared map: keyed like the core's in-process store (issuer + `jti`,
 * subject, client or session — never the token itself, checklist §0.4), valued `[cut-off, expiresAt]` in
 * seconds (0 for a single token). Merging keeps the later of each, so a cut-off only ever moves later.
 */
import {
  type RevocationEntry,
  type RevocationQuery,
  revocationEntryId,
  revocationKey,
  revocationLookups,
  revokes,
} from '@nevertrust/core/policy';
import type { ReplicatedMap } from './replicated-map.js';

/**
 * The field an entry is stored under, and its values: `[cut-off, expiresAt]`, the cut-off being
 * `issuedBefore` (subject, client, session), `authenticatedBefore` (authentication) or 0 (one token).
 *
 * @example
 * ```ts
 * encodeEntry({ kind: 'token', issuer, tokenId: 'j1', expiresAt: 1_900_000_000 }); // { field, values: [0, 1900000000] }
 * ```
 */
export function encodeEntry(entry: RevocationEntry): { field: string; values: [number, number] } {
  return {
    field: revocationKey(entry.kind, entry.issuer, revocationEntryId(entry)),
    values: [cutOffOf(entry), entry.expiresAt],
  };
}

function cutOffOf(entry: RevocationEntry): number {
  if (entry.kind === 'token') return 0;
  return entry.kind === 'authentication' ? entry.authenticatedBefore : entry.issuedBefore;
}

/** The entry a field's values stand for, rebuilt from its kind and id. */
function decodeEntry(
  kind: RevocationEntry['kind'],
  issuer: string,
  id: string,
  [before = 0, expiresAt = 0]: readonly number[],
): RevocationEntry {
  switch (kind) {
    case 'token':
      return { kind, issuer, tokenId: id, expiresAt };
    case 'subject':
      return { kind, issuer, subject: id, issuedBefore: before, expiresAt };
    case 'client':
      return { kind, issuer, clientId: id, issuedBefore: before, expiresAt };
    case 'session':
      return { kind, issuer, sessionId: id, issuedBefore: before, expiresAt };
    default:
      return { kind, issuer, subject: id, authenticatedBefore: before, expiresAt };
  }
}

/**
 * The entry of `map` revoking the queried token, if any; rejects when the map cannot be trusted. The
 * look-ups (one per entry kind the token can be matched by, as the core lists them) are read in the same
 * turn of the event loop, so they see one state of the copy.
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
  const lookups = revocationLookups(query);
  // One deferral for every lookup of the request (the copy is read once the pending messages are applied).
  const found = await map.readAll(
    lookups.map(([kind, id]) => revocationKey(kind, query.issuer, id)),
    now,
  );
  for (let index = 0; index < lookups.length; index++) {
    const values = found[index];
    if (!values) continue;
    const [kind, id] = lookups[index] as (typeof lookups)[number];
    const entry = decodeEntry(kind, query.issuer, id, values);
    if (revokes(entry, query)) return entry;
  }
  return undefined;
}
