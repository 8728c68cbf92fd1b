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
export type { BindingPolicy } from './bind/binding-policy.js';
// Sender constraints in depth: the certificate thumbprint rule (RFC 8705 §3.1) and the replay store's fault.
export { certificateBindingProblem, certificateThumbprint } from './bind/certificate-binding.js';
// The options and stores of sender constraints (DPoP, certificates) and of the provider's signals, in depth.
export type { DpopAlgorithm, DpopOptions } from './bind/dpop-options.js';
export type { ForwardedCertificateFormat } from './bind/forwarded-certificate.js';
export { jwkThumbprint } from './bind/jwk-thumbprint.js';
export {
  createMemoryDpopReplayStore,
  DpopReplayStoreFullError,
  type MemoryDpopReplayStoreOptions,
} from './bind/memory-replay-store.js';
export type { MtlsOptions } from './bind/options.js';
export type { DpopReplayStore } from './bind/replay-store.js';
export { replayKey } from './bind/replay-store.js';
export type { DiscoveryKind } from './keys/discovery.js';
export type { KeyControl } from './keys/guard-keys.js';
export type { KeyFetchFailure, KeyFetchFailureCode } from './keys/key-fetch-error.js';
export type { KeySetState, KeyUse } from './keys/key-health.js';
export type { ErrorResponseSpec } from './model/error-table.js';
export type {
  BackChannelLogoutOptions,
  SharedSignalsOptions,
  SignalChannelOptions,
  SignalOptions,
  TransmitterOptions,
} from './pipeline/signal-options.js';
export type { DryRunRecord } from './policy/authorise.js';
export { type ClaimPathInput, readClaim } from './policy/claim-path.js';
// The requirement language in depth, from the policy stage's public face.
export {
  type AddressRequirement,
  type AndRequirement,
  type AuthenticatedRequirement,
  type AuthenticationRequirement,
  type AuthenticationStrength,
  type BindingRequirement,
  type ClaimRequirement,
  type ClaimTest,
  type ClaimValue,
  describeRequirement,
  evaluateRequirement,
  type KindRequirement,
  type MethodRequirement,
  type NotRequirement,
  type OrRequirement,
  type OwnershipRequirement,
  type PolicyErrorCode,
  type PolicyFailure,
  type PolicyInput,
  type PolicyResult,
  type PredicateRequirement,
  type PublicRequirement,
  type RoleRequirement,
  requiredScopesOf,
  type ScopeRequirement,
  type WorkloadRequirement,
} from './policy/requirements.js';
export type { ResourceMetadataEndpoint, ResourceMetadataOptions } from './policy/resource-metadata.js';
export type { Revocation } from './policy/revocation.js';
export {
  type MemoryRevocationStoreOptions,
  type RevocationEntry,
  type RevocationQuery,
  revocationEntryId,
  revocationKey,
  revocationLookups,
  revokes,
} from './policy/revocation-store.js';
export {
  compileRouteTable,
  type ResolvedRoute,
  type RouteMatch,
  type RouteTable,
} from './policy/route-table.js';
export type { SessionScope } from './signals/cut-off.js';
export type { PeerLimitOptions } from './signals/peer-limit.js';
export {
  createMemoryReplayStore,
  type MemoryReplayStoreOptions,
  type ReplayStore,
} from './signals/replay-store.js';
export { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from './token/algorithms.js';
export type { ScopeClaimFormat } from './token/scopes.js';
export type { TokenTypePolicy } from './token/token-type.js';
