/**
 * What changed between two fetches of an issuer's key set. A key that is published again unchanged (same
 * `kid`, algorithm and key material) keeps its identity, so the verified-token cache keeps the tokens it
 * verified across a routine refresh; a key that is gone, or whose material changed under the same `kid`,
 * is a new identity, and every cached result verified with the old one dies with it.
 */
import { KeySet, type VerificationKey } from './keys.js';

/** Keys an issuer published or retired at a refetch. */
export interface KeySetChange {
  readonly issuer: string;
  readonly added: readonly VerificationKey[];
  readonly removed: readonly VerificationKey[];
}

const identity = (key: VerificationKey) => `${key.alg}\n${key.kid ?? ''}`;

/**
 * The next key set, reusing the previous key objects that are published again unchanged, with the keys
 * that appeared and disappeared.
 *
 * @example
 * ```ts
 * const { keys, added, removed } = carryOver(previous, parseJwks(document, algorithms, 100));
 * ```
 */
export function carryOver(
  previous: KeySet | undefined,
  next: KeySet,
): { keys: KeySet; added: VerificationKey[]; removed: VerificationKey[] } {
  if (!previous) return { keys: next, added: [], removed: [] };
  const unmatched = new Map<string, VerificationKey[]>();
  for (const key of previous.list()) {
    const list = unmatched.get(identity(key));
    if (list) list.push(key);
    else unmatched.set(identity(key), [key]);
  }
  const added: VerificationKey[] = [];
  const kept = next.list().map((key) => {
    const candidates = unmatched.get(identity(key)) ?? [];
    const index = candidates.findIndex((old) => old.key.equals(key.key));
    if (index < 0) {
      added.push(key);
      return key;
    }
    const [old] = candidates.splice(index, 1);
    return old as VerificationKey;
  });
  const removed = [...unmatched.values()].flat();
  return { keys: added.length === 0 && removed.length === 0 ? previous : new KeySet(kept), added, removed };
}
