/**
 * The shapes of least-privilege requirements. A requirement is plain, frozen data: it can be logged,
 * compared and written into the audit trail (only the custom predicates carry a function, and they are
 * named). Builders live in `builders.ts` and `request-builders.ts`; evaluation in `evaluate.ts`.
 */
import type { PrincipalKind } from '../model/principal.js';
import type { PolicyInput } from './input.js';

/** A route anyone may call. Valid credentials still yield a principal; invalid ones are still refused. */
export interface PublicRequirement {
  readonly type: 'public';
}

/** Any valid access token. The default when a route states nothing (outside strict mode). */
export interface AuthenticatedRequirement {
  readonly type: 'authenticated';
}

/** Granted scopes (including those mapped from roles) must include all (or any) of `scopes`. */
export interface ScopeRequirement {
  readonly type: 'scopes';
  readonly match: 'all' | 'any';
  readonly scopes: readonly string[];
}

/** The roles read from the issuer's role claim must include all (or any) of `roles` (RBAC). */
export interface RoleRequirement {
  readonly type: 'roles';
  readonly match: 'all' | 'any';
  readonly roles: readonly string[];
}

/** A JSON primitive a claim can be compared with; objects are never compared. */
export type ClaimValue = string | number | boolean | null;

/** A test of one claim, found by its path (segments of nested object names). */
export type ClaimRequirement =
  | {
      readonly type: 'claim';
      readonly claim: readonly string[];
      /** `equals`: the claim is exactly `values[0]`; `one-of`: it is one of `values`; `includes`: it is an array holding every value. */
      readonly test: 'equals' | 'one-of' | 'includes';
      readonly values: readonly ClaimValue[];
    }
  | {
      readonly type: 'claim';
      readonly claim: readonly string[];
      readonly test: 'custom';
      /** Shown in logs and the audit trail instead of the function. */
      readonly name: string;
      /** Must return exactly `true` to pass; a throw is a refusal. */
      readonly check: (value: unknown) => boolean;
    };

/** A named custom test over the whole policy input (principal, method, route parameters, address). */
export interface PredicateRequirement {
  readonly type: 'predicate';
  readonly name: string;
  /** Must return exactly `true` to pass; a throw is a refusal. */
  readonly test: (input: PolicyInput) => boolean;
}

/** The principal must act for a person (`user`) or for a client on its own behalf (`service`). */
export interface KindRequirement {
  readonly type: 'kind';
  readonly kind: PrincipalKind;
}

/** The request method must be one of `methods` (RFC 9110 §9.1: case-sensitive). */
export interface MethodRequirement {
  readonly type: 'method';
  readonly methods: readonly string[];
}

/** Ownership: the route parameter `param` must equal the string claim at `claim` (e.g. `:userId` = `sub`). */
export interface OwnershipRequirement {
  readonly type: 'ownership';
  readonly param: string;
  readonly claim: readonly string[];
}

/**
 * The socket peer address must lie in one of `cidrs`. Only ever an extra condition: it is evaluated after
 * the token was verified, so an address never replaces authentication.
 */
export interface AddressRequirement {
  readonly type: 'address';
  readonly cidrs: readonly string[];
}

/** Authentication strength (RFC 9470 step-up): `acr` one of, every `amr` method, `auth_time` recent enough. */
export interface AuthenticationRequirement {
  readonly type: 'authentication';
  /** Acceptable `acr` values in order of preference, compared exactly (attack #42). */
  readonly acr?: readonly string[];
  /** Methods that must all appear in `amr` (e.g. `mfa`). */
  readonly amr?: readonly string[];
  /** Largest accepted time since `auth_time`, in seconds. */
  readonly maxAgeSeconds?: number;
}

/**
 * How the token must be bound to its sender (RFC 9449, RFC 8705): `dpop` a DPoP-bound token presented with
 * its proof, `mtls` a certificate-bound token over a TLS connection with its certificate, `any` either.
 * The bind step has already checked the proof when this is evaluated; this only says which one a route asks.
 */
export interface BindingRequirement {
  readonly type: 'binding';
  readonly binding: 'dpop' | 'mtls' | 'any';
}

/**
 * The calling workload must be one of `spiffeIds`: the SPIFFE ID (the `spiffe://…` URI SAN) of the verified
 * client certificate of the connection, or of the one a trusted proxy forwarded. With a user token this
 * checks both identities: the user the token speaks for and the system that calls.
 */
export interface WorkloadRequirement {
  readonly type: 'workload';
  readonly spiffeIds: readonly string[];
}

/** Every child requirement must hold. */
export interface AndRequirement {
  readonly type: 'and';
  readonly requirements: readonly Requirement[];
}

/** At least one child requirement must hold. */
export interface OrRequirement {
  readonly type: 'or';
  readonly requirements: readonly Requirement[];
}

/** The child requirement must not hold. */
export interface NotRequirement {
  readonly type: 'not';
  readonly requirement: Requirement;
}

/** What a route demands of a request. */
export type Requirement =
  | PublicRequirement
  | AuthenticatedRequirement
  | ScopeRequirement
  | RoleRequirement
  | ClaimRequirement
  | PredicateRequirement
  | KindRequirement
  | MethodRequirement
  | OwnershipRequirement
  | AddressRequirement
  | AuthenticationRequirement
  | BindingRequirement
  | WorkloadRequirement
  | AndRequirement
  | OrRequirement
  | NotRequirement;

/**
 * Every requirement type name.
 *
 * @example
 * ```ts
 * REQUIREMENT_TYPES.includes(value.type);
 * ```
 */
export const REQUIREMENT_TYPES: readonly Requirement['type'][] = [
  'public',
  'authenticated',
  'scopes',
  'roles',
  'claim',
  'predicate',
  'kind',
  'method',
  'ownership',
  'address',
  'authentication',
  'binding',
  'workload',
  'and',
  'or',
  'not',
];
