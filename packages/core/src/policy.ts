/**
 * @nevertrust/core/policy — the requirement language in depth (each requirement form's type, evaluation
 * and description), the route policy table, revocation entries, protected resource metadata, and the
 * token-acceptance settings of an issuer (algorithms, token type, scope claims, key control and health).
 *
 * @example
 * ```ts
 * import { compileRouteTable, describeRequirement } from '@nevertrust/core/policy';
 * describeRequirement(requireScopes('orders:read')); // 'scopes:all(orders:read)'
 * ```
 *
 * @packageDocumentation
 */
export type { DiscoveryKind } from './keys/discovery.js';
export type { KeyControl } from './keys/guard-keys.js';
export type { KeyFetchFailure, KeyFetchFailureCode } from './keys/key-fetch-error.js';
export type { KeySetState } from './keys/key-health.js';
export type { ErrorResponseSpec } from './model/error-table.js';
export type { DryRunRecord } from './policy/authorise.js';
export type { ClaimTest } from './policy/builders.js';
export { type ClaimPathInput, readClaim } from './policy/claim-path.js';
export { describeRequirement, requiredScopesOf } from './policy/describe.js';
export {
  evaluateRequirement,
  type PolicyErrorCode,
  type PolicyFailure,
  type PolicyResult,
} from './policy/evaluate.js';
export type { PolicyInput } from './policy/input.js';
export type { AuthenticationStrength } from './policy/request-builders.js';
export type {
  AddressRequirement,
  AndRequirement,
  AuthenticatedRequirement,
  AuthenticationRequirement,
  ClaimRequirement,
  ClaimValue,
  KindRequirement,
  MethodRequirement,
  NotRequirement,
  OrRequirement,
  OwnershipRequirement,
  PredicateRequirement,
  PublicRequirement,
  RoleRequirement,
  ScopeRequirement,
} from './policy/requirement.js';
export type { ResourceMetadataEndpoint, ResourceMetadataOptions } from './policy/resource-metadata.js';
export type { Revocation } from './policy/revocation.js';
export {
  type MemoryRevocationStoreOptions,
  type RevocationEntry,
  type RevocationQuery,
  revocationKey,
  revokes,
} from './policy/revocation-store.js';
export {
  compileRouteTable,
  type ResolvedRoute,
  type RouteMatch,
  type RouteTable,
} from './policy/route-table.js';
export { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from './token/algorithms.js';
export type { ScopeClaimFormat } from './token/scopes.js';
export type { TokenTypePolicy } from './token/token-type.js';
