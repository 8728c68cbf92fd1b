/**
 * The authorise step of the guard (DESIGN §3, step 4). Before any token is read it plans what a request
 * must meet: the policy-table entry (deny when none matches), the route's own requirement, or — in strict
 * mode — a refusal when neither was declared. After verification it checks revocation (on every request,
 * cache hit or not), then every requirement, and applies dry-run: the decision is computed and recorded
 * but the request goes through. Dry-run never covers missing, invalid or revoked credentials.
 */
import { ERROR_TABLE } from '../model/error-table.js';
import type { ErrorCode } from '../model/errors.js';
import { type RequestFacts, targetPath } from '../model/facts.js';
import { isPromise } from '../model/maybe-async.js';
import type { VerifiedToken } from '../token/verify-token.js';
import { AUTHENTICATED, PUBLIC } from './builders.js';
import { evaluateRequirement, type PolicyFailure } from './evaluate.js';
import type { PolicyInput } from './input.js';
import type { Requirement } from './requirement.js';
import { type Entitlements, entitlementsOf, type ResolvedRoles } from './roles.js';
import type { RouteTable } from './route-table.js';

/** A policy decision that was computed but not enforced (dry-run), as recorded in the audit trail. */
export interface DryRunRecord {
  readonly reason: Exclude<ErrorCode, 'ERR_CONFIG'>;
  readonly status: number;
  readonly detail: string;
}

/** One requirement to enforce. */
interface Part {
  readonly requirement: Requirement;
  /** The parameters of a policy-table match; a route's own requirement uses the request's. */
  readonly params?: Readonly<Record<string, string>>;
  readonly dryRun: boolean;
}

/** What a request must meet, decided before its credentials are looked at. */
export interface Plan {
  /** The effective requirement, for the audit trail. */
  readonly requirement: Requirement;
  /** Whether a request without credentials may proceed. */
  readonly isPublic: boolean;
  /** A refusal that needs no token: no table entry, or an undeclared route in strict mode. */
  readonly refusal?: {
    readonly code: 'ERR_POLICY_NO_MATCH' | 'ERR_ROUTE_NOT_DECLARED';
    readonly detail: string;
  };
  /** Such a refusal, when global dry-run let the request continue. */
  readonly shadow?: DryRunRecord;
  readonly parts: readonly Part[];
}

/** The result of {@link Authoriser.authorise}. */
export type Authorisation =
  | { readonly code: 'OK'; readonly dryRun?: DryRunRecord }
  | {
      readonly code: Exclude<ErrorCode, 'ERR_CONFIG' | 'ERR_NO_CREDENTIALS'>;
      readonly detail: string;
      readonly challenge?: Readonly<Record<string, string>>;
      /** `Retry-After` of a 503 (a store that cannot answer). */
      readonly retryAfterSeconds?: number;
    };

type RevocationVerdict =
  | { code: 'ERR_TOKEN_REVOKED' | 'ERR_REVOCATION_UNAVAILABLE'; detail: string; retryAfterSeconds?: number }
  | undefined;

/** Settings of {@link createAuthoriser}. */
export interface AuthoriserSettings {
  readonly table: RouteTable | undefined;
  readonly strict: boolean;
  readonly dryRun: boolean;
  readonly roles: ResolvedRoles;
  /** Requests that are public by nature (the RFC 9728 metadata document), outside any table or strict mode. */
  readonly isPublicResource?: (method: string, target: string) => boolean;
  /** The revocation check; `undefined` when the token is not revoked. */
  readonly isRevoked: (
    token: VerifiedToken,
    nowSeconds: number,
  ) => RevocationVerdict | Promise<RevocationVerdict>;
}

/** Plans and authorises requests. */
export interface Authoriser {
  plan(facts: RequestFacts, declared: Requirement | undefined): Plan;
  authorise(
    plan: Plan,
    token: VerifiedToken,
    facts: RequestFacts,
    nowSeconds: number,
  ): Authorisation | Promise<Authorisation>;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const SUCCESS: Authorisation = Object.freeze({ code: 'OK' });

function frozenPlan(plan: Plan): Plan {
  for (const part of plan.parts) Object.freeze(part);
  Object.freeze(plan.parts);
  return Object.freeze(plan);
}

function record(code: Exclude<ErrorCode, 'ERR_CONFIG'>, detail: string): DryRunRecord {
  return { reason: code, status: ERROR_TABLE[code].status, detail };
}

/**
 * Creates the authorise step of a guard.
 *
 * @example
 * ```ts
 * const authoriser = createAuthoriser({ table, strict: true, dryRun: false, roles, isRevoked });
 * const plan = authoriser.plan(facts, requireScopes('orders:read'));
 * ```
 */
export function createAuthoriser(settings: AuthoriserSettings): Authoriser {
  const { table, strict, dryRun, roles } = settings;
  // A cached token is the same object on every hit, so its roles are read from its claims once.
  const entitlements = new WeakMap<VerifiedToken, Entitlements>();

  // Without a policy table a plan depends on the declared requirement alone (route parameters are read
  // from the facts when authorising), and a frozen requirement cannot change: plan it once instead of
  // once per request (measured in the benchmarks).
  const plans = new WeakMap<Requirement, Plan>();
  let undeclaredPlan: Plan | undefined;

  function plan(facts: RequestFacts, declared: Requirement | undefined): Plan {
    if (settings.isPublicResource?.(facts.method, facts.target)) {
      return {
        requirement: PUBLIC,
        isPublic: true,
        parts: [{ requirement: PUBLIC, dryRun: false }],
      };
    }
    if (table) return fresh(facts, declared);
    if (declared === undefined) {
      undeclaredPlan ??= frozenPlan(fresh(facts, undefined));
      return undeclaredPlan;
    }
    if (!Object.isFrozen(declared)) return fresh(facts, declared);
    let known = plans.get(declared);
    if (!known) {
      known = frozenPlan(fresh(facts, declared));
      plans.set(declared, known);
    }
    return known;
  }

  function fresh(facts: RequestFacts, declared: Requirement | undefined): Plan {
    const parts: Part[] = [];
    let refusal: Plan['refusal'];
    if (table) {
      const match = table.match(facts.method, targetPath(facts.target));
      if (match) {
        parts.push({
          requirement: match.route.requirement,
          params: match.params,
          dryRun: dryRun || match.route.dryRun,
        });
      } else {
        refusal = {
          code: 'ERR_POLICY_NO_MATCH',
          detail: 'no policy table entry matches the method and path',
        };
      }
    }
    if (declared) parts.push({ requirement: declared, dryRun });
    if (parts.length === 0) {
      if (strict && !refusal)
        refusal = { code: 'ERR_ROUTE_NOT_DECLARED', detail: 'route declared no requirement' };
      parts.push({ requirement: AUTHENTICATED, dryRun });
    }
    const requirement: Requirement =
      parts.length === 1 && parts[0]
        ? parts[0].requirement
        : Object.freeze({ type: 'and', requirements: Object.freeze(parts.map((part) => part.requirement)) });
    const isPublic = parts.every((part) => part.requirement.type === 'public');
    if (refusal && dryRun)
      return { requirement, isPublic, parts, shadow: record(refusal.code, refusal.detail) };
    return refusal ? { requirement, isPublic, parts, refusal } : { requirement, isPublic, parts };
  }

  function authorise(
    planned: Plan,
    token: VerifiedToken,
    facts: RequestFacts,
    nowSeconds: number,
  ): Authorisation | Promise<Authorisation> {
    // Revocation first, on every request: a cached token is refused as soon as it is revoked.
    const revoked = settings.isRevoked(token, nowSeconds);
    if (isPromise(revoked)) return revoked.then((found) => found ?? meets(planned, token, facts, nowSeconds));
    return revoked ?? meets(planned, token, facts, nowSeconds);
  }

  function meets(
    planned: Plan,
    token: VerifiedToken,
    facts: RequestFacts,
    nowSeconds: number,
  ): Authorisation {
    // An issuer without a role claim grants its token's scopes and no role: nothing worth remembering, so
    // a token verified once (the fresh-token path) adds no WeakMap entry for the collector.
    const remembered = roles.claimByIssuer.has(token.principal.issuer);
    let held = remembered ? entitlements.get(token) : undefined;
    if (!held) {
      held = entitlementsOf(token.principal, token.scopeSet, roles);
      if (remembered) entitlements.set(token, held);
    }
    let enforced: PolicyFailure | undefined;
    let shadow = planned.shadow;
    for (const part of planned.parts) {
      const input: PolicyInput = {
        principal: token.principal,
        scopes: held.scopes,
        roles: held.roles,
        method: facts.method,
        remoteAddress: facts.remoteAddress,
        nowSeconds,
        params: part.params ?? facts.params ?? NO_PARAMS,
      };
      const result = evaluateRequirement(part.requirement, input);
      if (result.ok) continue;
      if (part.dryRun) {
        shadow ??= record(result.code, result.detail);
        continue;
      }
      // As inside and(): a missing privilege outranks weak authentication (RFC 9470 §3).
      if (!enforced || enforced.code === 'ERR_INSUFFICIENT_USER_AUTHENTICATION') enforced = result;
    }
    if (enforced) return { code: enforced.code, detail: enforced.detail, challenge: enforced.challenge };
    return shadow ? { code: 'OK', dryRun: shadow } : SUCCESS;
  }

  return { plan, authorise };
}
