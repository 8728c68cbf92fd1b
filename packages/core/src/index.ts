/**
 * @nevertrust/core — zero-trust request verification for Node.js HTTP APIs.
 *
 * @example
 * ```ts
 * import { createGuard, requireScopes } from '@nevertrust/core';
 * const guard = createGuard({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] });
 * const decision = await guard.evaluate(facts, requireScopes('orders:read'));
 * ```
 *
 * @packageDocumentation
 */
export { AccessDeniedError } from './adapter/access-denied.js';
export {
  type AdapterOptions,
  type DenialMode,
  type NevertrustOptions,
  type PreflightKind,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
} from './adapter/adapter-options.js';
export { isCorsPreflight, PREFLIGHT } from './adapter/cors-preflight.js';
export { type Destination, UNMATCHED } from './adapter/destination.js';
export { toRequestFacts } from './adapter/node-facts.js';
export {
  type DenialWriter,
  findGate,
  gateOf,
  openGate,
  proceed,
  RequestGate,
  type RouteInfo,
  requireGate,
  requirePrincipal,
} from './adapter/request-gate.js';
export { createRouteMarkers, type RouteMarkerAdapter, type RouteMarkers } from './adapter/route-markers.js';
export {
  createRouteMarker,
  declaredRequirements,
  type HandlerDecorator,
  parseRouteDeclaration,
  type RouteDeclaration,
  type RouteMarker,
  requirementOf,
  undeclaredRouteProblem,
} from './adapter/route-requirements.js';
export { type PropertyWatch, watchProperty } from './adapter/watched-property.js';
export { resourceMetadataResponse, type WellKnownResponse } from './adapter/well-known.js';
export * from './audit/index.js';
export type { DiscoveryKind } from './keys/discovery.js';
export type { KeyControl } from './keys/guard-keys.js';
export type { KeyFetchFailure, KeyFetchFailureCode } from './keys/key-fetch-error.js';
export type { KeySetHealth, KeySetState } from './keys/key-health.js';
export type { KeyFetchReport } from './keys/remote-key-source.js';
export { AUDIT_SCHEMA, type AuditEvent, type AuditListener } from './model/audit.js';
export { type ChallengeParams, formatChallenge } from './model/challenge.js';
export type { AllowDecision, Decision, DenyBody, DenyDecision } from './model/decision.js';
export { ERROR_TABLE, type ErrorResponseSpec } from './model/error-table.js';
export { ConfigError, type ErrorCode, isNevertrustError, NevertrustError } from './model/errors.js';
export { headerValues, type RequestFacts, type TlsFacts } from './model/facts.js';
export type { AuthenticationContext, Principal, PrincipalKind, SenderBinding } from './model/principal.js';
export { type Completion, createGuard, type EvaluateOptions, type Guard } from './pipeline/guard.js';
export type { GuardOptions, IssuerOptions, KeyFetchOptions } from './pipeline/options.js';
export * from './policy/public.js';
export * from './policy/requirements.js';
export { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, type SignatureAlgorithm } from './token/algorithms.js';
export type { ScopeClaimFormat } from './token/scopes.js';
export type { TokenTypePolicy } from './token/token-type.js';
