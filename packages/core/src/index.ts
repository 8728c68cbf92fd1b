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
export { AccessDeniedError } from './access-denied.js';
export {
  type AdapterOptions,
  type DenialMode,
  type NevertrustOptions,
  type PreflightKind,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
} from './adapter-options.js';
export { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, type SignatureAlgorithm } from './algorithms.js';
export { AUDIT_SCHEMA, type AuditEvent, type AuditListener } from './audit.js';
export { type ChallengeParams, formatChallenge } from './challenge.js';
export { isCorsPreflight, PREFLIGHT } from './cors-preflight.js';
export type { AllowDecision, Decision, DenyBody, DenyDecision } from './decision.js';
export { type Destination, UNMATCHED } from './destination.js';
export type { DiscoveryKind } from './discovery.js';
export { ERROR_TABLE, type ErrorResponseSpec } from './error-table.js';
export { ConfigError, type ErrorCode, isNevertrustError, NevertrustError } from './errors.js';
export { headerValues, type RequestFacts, type TlsFacts } from './facts.js';
export { type Completion, createGuard, type EvaluateOptions, type Guard } from './guard.js';
export type { KeyControl } from './guard-keys.js';
export type { KeyFetchFailure, KeyFetchFailureCode } from './key-fetch-error.js';
export type { KeySetHealth, KeySetState } from './key-health.js';
export * from './monitoring/index.js';
export { toRequestFacts } from './node-facts.js';
export type { GuardOptions, IssuerOptions, KeyFetchOptions } from './options.js';
export * from './policy/public.js';
export type { AuthenticationContext, Principal, PrincipalKind, SenderBinding } from './principal.js';
export type { KeyFetchReport } from './remote-key-source.js';
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
} from './request-gate.js';
export * from './requirements.js';
export { createRouteMarkers, type RouteMarkerAdapter, type RouteMarkers } from './route-markers.js';
export {
  createRouteMarker,
  declaredRequirements,
  type HandlerDecorator,
  parseRouteDeclaration,
  type RouteDeclaration,
  type RouteMarker,
  requirementOf,
  undeclaredRouteProblem,
} from './route-requirements.js';
export type { ScopeClaimFormat } from './scopes.js';
export type { TokenTypePolicy } from './token-type.js';
export { type PropertyWatch, watchProperty } from './watched-property.js';
export { resourceMetadataResponse, type WellKnownResponse } from './well-known.js';
