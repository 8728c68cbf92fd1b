/**
 * Least-privilege requirements as plain data: they can be logged, compared and shown in the audit trail.
 * A route without a requirement needs a valid token (strict mode refuses it); a public route must say so
 * explicitly. The forms, builders and evaluation live in `policy/`; this module is their one public face.
 */

export { requireBinding, requireWorkload } from './binding-requirement.js';
export {
  AUTHENTICATED,
  and,
  type ClaimTest,
  not,
  or,
  PUBLIC,
  publicRoute,
  requireAnyRole,
  requireAnyScope,
  requireClaim,
  requireKind,
  requireRoles,
  requireScopes,
  requireThat,
} from './builders.js';
export { describeRequirement, requiredScopesOf } from './describe.js';
export {
  evaluateRequirement,
  type PolicyErrorCode,
  type PolicyFailure,
  type PolicyResult,
} from './evaluate.js';
export type { PolicyInput } from './input.js';
export {
  type AuthenticationStrength,
  requireAddress,
  requireAuthentication,
  requireMethod,
  requireOwnership,
} from './request-builders.js';
export type {
  AddressRequirement,
  AndRequirement,
  AuthenticatedRequirement,
  AuthenticationRequirement,
  BindingRequirement,
  ClaimRequirement,
  ClaimValue,
  KindRequirement,
  MethodRequirement,
  NotRequirement,
  OrRequirement,
  OwnershipRequirement,
  PredicateRequirement,
  PublicRequirement,
  Requirement,
  RoleRequirement,
  ScopeRequirement,
  WorkloadRequirement,
} from './requirement.js';
export {
  carriedRequirement,
  REQUIREMENT,
  type RequirementCarrier,
  type RequirementLike,
  toRequirement,
} from './requirement-carrier.js';
export { assertRequirement, requirementProblems } from './validate.js';
