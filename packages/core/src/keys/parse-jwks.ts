/**
 * A fetched JWKS document turned into the keys a source may verify with. Only public signature keys for
 * one of the issuer's algorithms are kept; weak or unsuitable members are skipped and reported, and a
 * document that leaves no usable key is refused as a whole, so a bad fetch never replaces good keys with
 * nothing.
 */
import type { SignatureAlgorithm } from '../token/algorithms.js';
import type { RefusedKey } from './key-hygiene.js';
import { importJwk, KeySet, type VerificationKey } from './keys.js';

function kidOf(jwk: unknown): string | undefined {
  const kid = (jwk as { kid?: unknown } | null)?.kid;
  return typeof kid === 'string' ? kid.slice(0, 256) : undefined;
}

/**
 * Parses a JWKS document into usable keys; throws when the document or the resulting set is unusable.
 * Members that are not public signature keys for one of `algorithms`, or are weak, are skipped and told
 * to `onRefused` (K-3, K-7, K-8, K-9).
 *
 * @example
 * ```ts
 * const keys = parseJwks(await fetchJson(jwksUri), ['RS256', 'ES256'], 100, (refused) => log(refused));
 * ```
 */
export function parseJwks(
  document: unknown,
  algorithms: readonly SignatureAlgorithm[],
  maxKeys: number,
  onRefused?: (refused: RefusedKey) => void,
): KeySet {
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('not a JWK set (no "keys" array)');
  if (list.length > maxKeys) throw new Error(`JWK set has more than ${maxKeys} keys`);
  const keys: VerificationKey[] = [];
  for (const jwk of list) {
    const imported = importJwk(jwk, algorithms);
    if (imported.ok) keys.push(imported.key);
    else onRefused?.({ kid: kidOf(jwk), rule: imported.rule, reason: imported.reason });
  }
  if (keys.length === 0) throw new Error('JWK set holds no usable verification key');
  return new KeySet(keys);
}
