/**
 * Reading granted scopes from token claims (RFC 9068 §2.2.3, RFC 8693 §4.2; checklist AT-5, attack #39).
 * Each claim has an explicit format; a value of another type is an invalid token, never coerced with
 * `String(x)` or matched by substring.
 */
import type { JsonObject } from '../model/strict-json.js';

/** RFC 6749 §3.3 `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`: the one grammar of a scope name. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** How one scope claim is written. */
export type ScopeClaimFormat = 'string' | 'array' | 'string-or-array';

/** The default scope claims: `scope` (space-delimited string), `scp` (either), `permissions` (array). */
export const DEFAULT_SCOPE_CLAIMS: Readonly<Record<string, ScopeClaimFormat>> = {
  scope: 'string',
  scp: 'string-or-array',
  permissions: 'array',
};

/** Result of {@link readGrantedScopes}. */
export type GrantedScopes =
  /** `scopes` is a fresh array, the caller's to keep. */
  { readonly ok: true; readonly scopes: string[] } | { readonly ok: false; readonly detail: string };

/**
 * The scopes a token grants as a fresh set (in claim order), or why a scope claim is invalid. The guard
 * keeps the set itself for requirement checks, so it is not built twice per token (measured in the benchmarks).
 *
 * @example
 * ```ts
 * collectGrantedScopes({ scope: 'a b a' }, [['scope', 'string']]); // Set { 'a', 'b' }
 * ```
 */
export function collectGrantedScopes(
  payload: JsonObject,
  claims: readonly (readonly [string, ScopeClaimFormat])[],
): Set<string> | { readonly detail: string } {
  const scopes = new Set<string>();
  for (const [claim, format] of claims) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value === 'string' && format !== 'array') {
      // RFC 6749 §3.3: scope tokens are separated by single spaces and compared case-sensitively.
      for (const scope of value.split(' ')) if (scope !== '') scopes.add(scope);
    } else if (
      Array.isArray(value) &&
      format !== 'string' &&
      value.every((entry) => typeof entry === 'string')
    ) {
      for (const scope of value as string[]) scopes.add(scope);
    } else {
      return { detail: `${claim} is not a ${format.replaceAll('-', ' ')} of scopes` };
    }
  }
  return scopes;
}

/**
 * Collects the scopes a token grants from the configured claims, de-duplicated, in claim order.
 *
 * @example
 * ```ts
 * readGrantedScopes({ scope: 'orders:read orders:write' }, [['scope', 'string']]);
 * // { ok: true, scopes: ['orders:read', 'orders:write'] }
 * ```
 */
export function readGrantedScopes(
  payload: JsonObject,
  claims: readonly (readonly [string, ScopeClaimFormat])[],
): GrantedScopes {
  const scopes = collectGrantedScopes(payload, claims);
  return scopes instanceof Set ? { ok: true, scopes: [...scopes] } : { ok: false, detail: scopes.detail };
}
