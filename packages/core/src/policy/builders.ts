/**
 * Builders of requirements about the principal: scopes, roles, claims, kind, custom predicates, and their
 * composition. Each returns frozen plain data and throws {@link ConfigError} at declaration time when an
 * argument is wrong, so a typo fails at start-up rather than at the first request.
 */
import type { PrincipalKind } from '../model/principal.js';
import { type ClaimPathInput, toClaimPath } from './claim-path.js';
import type { PolicyInput } from './input.js';
import type {
  AndRequirement,
  AuthenticatedRequirement,
  ClaimRequirement,
  ClaimValue,
  KindRequirement,
  NotRequirement,
  OrRequirement,
  PredicateRequirement,
  PublicRequirement,
  Requirement,
  RoleRequirement,
  ScopeRequirement,
} from './requirement.js';
import { type RequirementLike, toRequirement } from './requirement-carrier.js';
import { assertRequirement } from './validate.js';

/**
 * Checks a requirement a builder made and freezes it; a bad argument throws naming the builder.
 *
 * @example
 * ```ts
 * return build({ type: 'method', methods: unique(methods) }, 'requireMethod');
 * ```
 */
export function build<T extends Requirement>(value: T, builder: string): T {
  return Object.freeze(assertRequirement(value, `${builder}()`) as T);
}

/**
 * The values without repeats, in first-seen order, frozen.
 *
 * @example
 * ```ts
 * unique(['a', 'b', 'a']); // ['a', 'b']
 * ```
 */
export function unique(values: readonly string[]): readonly string[] {
  return Object.freeze([...new Set(values)]);
}

/**
 * The requirement of routes that state nothing (outside strict mode): a valid access token.
 *
 * @example
 * ```ts
 * await guard.evaluate(facts, AUTHENTICATED);
 * ```
 */
export const AUTHENTICATED: AuthenticatedRequirement = Object.freeze({ type: 'authenticated' });

/** The public requirement's one value; applications spell it {@link publicRoute}. */
export const PUBLIC: PublicRequirement = Object.freeze({ type: 'public' });

/**
 * The explicit public requirement: the route may be called without credentials; invalid ones are still
 * refused. It is the one spelling of a public route — in the policy table, in `config.nevertrust` and as
 * an adapter's route marker — so `grep publicRoute` lists every unauthenticated route.
 *
 * @example
 * ```ts
 * { method: 'GET', path: '/health', requirement: publicRoute() }
 * ```
 */
export function publicRoute(): PublicRequirement {
  return PUBLIC;
}

/**
 * Requires every listed scope (all-of).
 *
 * @example
 * ```ts
 * await guard.evaluate(facts, requireScopes('orders:read', 'orders:write'));
 * ```
 */
export function requireScopes(...scopes: string[]): ScopeRequirement {
  return build({ type: 'scopes', match: 'all', scopes: unique(scopes) }, 'requireScopes');
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
  return build({ type: 'scopes', match: 'any', scopes: unique(scopes) }, 'requireAnyScope');
}

/**
 * Requires every listed role, read from the issuer's `roleClaim` (RBAC).
 *
 * @example
 * ```ts
 * requireRoles('billing', 'auditor');
 * ```
 */
export function requireRoles(...roles: string[]): RoleRequirement {
  return build({ type: 'roles', match: 'all', roles: unique(roles) }, 'requireRoles');
}

/**
 * Requires at least one of the listed roles.
 *
 * @example
 * ```ts
 * requireAnyRole('admin', 'support');
 * ```
 */
export function requireAnyRole(...roles: string[]): RoleRequirement {
  return build({ type: 'roles', match: 'any', roles: unique(roles) }, 'requireAnyRole');
}

/** How {@link requireClaim} tests a claim. */
export type ClaimTest =
  | { readonly equals: ClaimValue }
  | { readonly oneOf: readonly ClaimValue[] }
  | { readonly includes: ClaimValue }
  | { readonly satisfies: (value: unknown) => boolean; readonly name: string };

/**
 * Requires a claim to equal a value, be one of several, include a value (array claims only — a string is
 * never searched by substring, attack #39), or satisfy a named function. Comparison is strict: `1` is not
 * `"1"`.
 *
 * @example
 * ```ts
 * requireClaim('tenant', { equals: 'acme' });
 * requireClaim('realm_access.roles', { includes: 'admin' });
 * requireClaim('email_verified', { satisfies: (value) => value === true, name: 'email-verified' });
 * ```
 */
export function requireClaim(path: ClaimPathInput, test: ClaimTest): ClaimRequirement {
  const claim = toClaimPath(path, 'requireClaim() path');
  const value: ClaimRequirement =
    'satisfies' in test
      ? { type: 'claim', claim, test: 'custom', name: test.name, check: test.satisfies }
      : 'equals' in test
        ? { type: 'claim', claim, test: 'equals', values: Object.freeze([test.equals]) }
        : 'oneOf' in test
          ? { type: 'claim', claim, test: 'one-of', values: Object.freeze([...test.oneOf]) }
          : { type: 'claim', claim, test: 'includes', values: Object.freeze([test.includes]) };
  return build(value, 'requireClaim');
}

/**
 * Requires a named custom test over the whole {@link PolicyInput} to return `true`. A throwing test is a
 * refusal, never a crash.
 *
 * @example
 * ```ts
 * requireThat('business-hours', (input) => new Date(input.nowSeconds * 1000).getUTCHours() < 18);
 * ```
 */
export function requireThat(name: string, test: (input: PolicyInput) => boolean): PredicateRequirement {
  return build({ type: 'predicate', name, test }, 'requireThat');
}

/**
 * Requires a token acting for a person (`user`) or a client acting on its own (`service`).
 *
 * @example
 * ```ts
 * app.post('/internal/reindex', route(requireKind('service')), handler);
 * ```
 */
export function requireKind(kind: PrincipalKind): KindRequirement {
  return build({ type: 'kind', kind }, 'requireKind');
}

/**
 * Every requirement must hold. With several failures, one a step-up can cure (RFC 9470) is reported only
 * when nothing else failed: more authentication cannot fix a missing scope.
 *
 * @example
 * ```ts
 * and(requireScopes('payments:write'), requireAuthentication({ acr: ['urn:example:mfa'] }));
 * ```
 */
export function and(...requirements: RequirementLike[]): AndRequirement {
  return build(
    {
      type: 'and',
      requirements: Object.freeze(requirements.map((requirement) => toRequirement(requirement))),
    },
    'and',
  );
}

/**
 * At least one requirement must hold.
 *
 * @example
 * ```ts
 * or(requireRoles('admin'), requireOwnership('userId'));
 * ```
 */
export function or(...requirements: RequirementLike[]): OrRequirement {
  return build(
    {
      type: 'or',
      requirements: Object.freeze(requirements.map((requirement) => toRequirement(requirement))),
    },
    'or',
  );
}

/**
 * The requirement must not hold.
 *
 * @example
 * ```ts
 * and(AUTHENTICATED, not(requireClaim('suspended', { equals: true })));
 * ```
 */
export function not(requirement: RequirementLike): NotRequirement {
  return build({ type: 'not', requirement: toRequirement(requirement) }, 'not');
}
