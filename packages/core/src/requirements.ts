/**
 * Least-privilege requirements as plain data: they can be logged, compared and shown in the audit trail.
 * A route without a requirement needs a valid token; a public route must say so explicitly.
 */
import { ConfigError, type ErrorCode } from './errors.js';
import type { VerifiedToken } from './verify-token.js';

/** A route anyone may call. Valid credentials still yield a principal; invalid ones are still refused. */
export interface PublicRequirement {
  readonly type: 'public';
}

/** Any valid access token. The default when a route states nothing. */
export interface AuthenticatedRequirement {
  readonly type: 'authenticated';
}

/** Granted scopes must include all (or any) of `scopes`. */
export interface ScopeRequirement {
  readonly type: 'scopes';
  readonly match: 'all' | 'any';
  readonly scopes: readonly string[];
}

/** What a route demands of a request. */
export type Requirement = PublicRequirement | AuthenticatedRequirement | ScopeRequirement;

/** Result of checking a requirement against a verified token. */
export type RequirementCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: ErrorCode; readonly challenge: Readonly<Record<string, string>> };

// RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function scopeRequirement(
  match: 'all' | 'any',
  scopes: readonly string[],
  builder: string,
): ScopeRequirement {
  if (scopes.length === 0) throw new ConfigError([`${builder}(): expected at least one scope`]);
  scopes.forEach((scope, index) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new ConfigError([`${builder}() argument ${index}: expected a scope token (RFC 6749 §3.3)`]);
    }
  });
  return Object.freeze({ type: 'scopes', match, scopes: Object.freeze([...new Set(scopes)]) });
}

/** The requirement of routes that state nothing: a valid access token. */
export const AUTHENTICATED: AuthenticatedRequirement = Object.freeze({ type: 'authenticated' });

/** The explicit public marker. Grep for `PUBLIC` / `publicRoute` to find every unauthenticated route. */
export const PUBLIC: PublicRequirement = Object.freeze({ type: 'public' });

/**
 * Requires every listed scope (all-of).
 *
 * @example
 * ```ts
 * await guard.evaluate(facts, requireScopes('orders:read', 'orders:write'));
 * ```
 */
export function requireScopes(...scopes: string[]): ScopeRequirement {
  return scopeRequirement('all', scopes, 'requireScopes');
}

/**
 * Requires at least one of the listed scopes (any-of).
 *
 * @example
 * ```ts
 * await guard.evaluate(facts, requireAnyScope('orders:read', 'orders:admin'));
 * ```
 */
export function requireAnyScope(...scopes: string[]): ScopeRequirement {
  return scopeRequirement('any', scopes, 'requireAnyScope');
}

/**
 * Checks a requirement against a verified token (AT-12; attack #39: exact, case-sensitive scope match).
 *
 * @example
 * ```ts
 * checkRequirement(requireScopes('a'), verified); // { ok: true } or insufficient_scope
 * ```
 */
export function checkRequirement(requirement: Requirement, token: VerifiedToken): RequirementCheck {
  if (requirement.type !== 'scopes') return { ok: true };
  const granted = token.scopeSet;
  const satisfied =
    requirement.match === 'all'
      ? requirement.scopes.every((scope) => granted.has(scope))
      : requirement.scopes.some((scope) => granted.has(scope));
  if (satisfied) return { ok: true };
  return { ok: false, code: 'ERR_INSUFFICIENT_SCOPE', challenge: { scope: requirement.scopes.join(' ') } };
}

/** The scopes a requirement names, for the audit trail. */
export function requiredScopesOf(requirement: Requirement): readonly string[] | undefined {
  return requirement.type === 'scopes' ? requirement.scopes : undefined;
}
