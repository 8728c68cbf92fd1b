/**
 * Claim paths: where a value sits in a token's claims, as name segments. A dotted string splits on dots
 * (`realm_access.roles`); a namespaced claim whose name holds dots (Auth0's `https://example.com/roles`) is
 * given as an array of segments. Reading walks own properties only, with a bounded depth, so no path can
 * reach `__proto__` or `constructor` (attack #22).
 */
import * as z from 'zod/mini';
import { parseOrThrow } from '../model/config-issues.js';
import { lazySchema } from '../model/lazy-schema.js';

/** A claim path as users write it. */
export type ClaimPathInput = string | readonly string[];

const MAX_SEGMENTS = 16;

const PATH_EXPECTED = 'expected a claim name, a dotted path or an array of names';
const SEGMENT_EXPECTED = 'expected non-empty path segments';

/**
 * The schema of a claim path: a dotted string or an array of names, at most 16 non-empty segments; its
 * output is the frozen segments. Requirements and options use it, so the rule is written once.
 *
 * @example
 * ```ts
 * claimPathSchema().parse('realm_access.roles'); // ['realm_access', 'roles']
 * claimPathSchema().safeParse('a..b').success; // false: expected non-empty path segments
 * ```
 */
export const claimPathSchema = lazySchema(() =>
  z.pipe(
    z.union(
      [
        z.pipe(
          z.string(),
          z.transform((path: string) => path.split('.')),
        ),
        z.array(z.unknown()),
      ],
      { error: PATH_EXPECTED },
    ),
    z.pipe(
      z
        .array(z.string({ error: SEGMENT_EXPECTED }).check(z.minLength(1, SEGMENT_EXPECTED)), {
          error: PATH_EXPECTED,
        })
        .check(
          z.minLength(1, PATH_EXPECTED),
          z.maxLength(MAX_SEGMENTS, `expected at most ${MAX_SEGMENTS} path segments`),
        ),
      z.transform((segments: string[]): readonly string[] => Object.freeze(segments)),
    ),
  ),
);

/**
 * Normalises a claim path to frozen segments; throws {@link ConfigError} naming `where` when it is unusable.
 *
 * @example
 * ```ts
 * toClaimPath('realm_access.roles', 'roleClaim'); // ['realm_access', 'roles']
 * toClaimPath(['https://example.com/roles'], 'roleClaim'); // one segment with dots
 * ```
 */
export function toClaimPath(path: ClaimPathInput, where: string): readonly string[] {
  return parseOrThrow(claimPathSchema(), path, where);
}

/**
 * Reads the value at a claim path, or `undefined` when any segment is absent or not an object.
 *
 * @example
 * ```ts
 * readClaim({ realm_access: { roles: ['admin'] } }, ['realm_access', 'roles']); // ['admin']
 * ```
 */
export function readClaim(claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = claims;
  for (const segment of path.slice(0, MAX_SEGMENTS)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * A claim path for display: dotted when no segment holds a dot, else JSON.
 *
 * @example
 * ```ts
 * formatClaimPath(['realm_access', 'roles']); // 'realm_access.roles'
 * ```
 */
export function formatClaimPath(path: readonly string[]): string {
  return path.some((segment) => segment.includes('.')) ? JSON.stringify(path) : path.join('.');
}
