/**
 * Role-based access control: roles are read from a claim path configured per issuer (Keycloak
 * `realm_access.roles`, Entra `roles`, Cognito `cognito:groups`, …) and mapped to scopes by one table in the
 * options, so a route can ask for a scope and be satisfied by a role that carries it. Only arrays of strings
 * (or one string, meaning one role) count as roles; anything else grants none (fail closed).
 */
import type { Principal } from '../model/principal.js';
import { readClaim } from './claim-path.js';

/** A principal's roles and its effective scopes (granted plus role-mapped). */
export interface Entitlements {
  readonly roles: ReadonlySet<string>;
  readonly scopes: ReadonlySet<string>;
}

/** Role settings after validation. */
export interface ResolvedRoles {
  /** Issuer identifier → path of its role claim. */
  readonly claimByIssuer: ReadonlyMap<string, readonly string[]>;
  /** Role → scopes it grants. */
  readonly scopesByRole: ReadonlyMap<string, readonly string[]>;
}

/** A set that refuses changes, so one empty set can be shared by every principal without roles. */
class ReadOnlySet<T> extends Set<T> {
  override add(): never {
    throw new TypeError('this set is read-only');
  }
  override delete(): never {
    throw new TypeError('this set is read-only');
  }
  override clear(): never {
    throw new TypeError('this set is read-only');
  }
}

/**
 * The roles of a principal whose issuer has no role claim: none. One shared set, read-only at run time
 * too (a `requireThat` predicate receives it), so a token costs no set of its own.
 */
export const NO_ROLES: ReadonlySet<string> = Object.freeze(new ReadOnlySet<string>());

function rolesIn(value: unknown): readonly string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value as string[];
  return [];
}

/**
 * Computes a principal's entitlements. The guard memoises the result per verified token, so a cached token
 * pays for this once.
 *
 * @example
 * ```ts
 * const { roles, scopes } = entitlementsOf(principal, scopeSet, resolvedRoles);
 * ```
 */
export function entitlementsOf(
  principal: Principal,
  granted: ReadonlySet<string>,
  settings: ResolvedRoles,
): Entitlements {
  const path = settings.claimByIssuer.get(principal.issuer);
  if (!path) return { roles: NO_ROLES, scopes: granted };
  const roles = new Set(rolesIn(readClaim(principal.claims, path)));
  if (settings.scopesByRole.size === 0) return { roles, scopes: granted };
  const scopes = new Set(granted);
  for (const role of roles) for (const scope of settings.scopesByRole.get(role) ?? []) scopes.add(scope);
  return { roles, scopes };
}
