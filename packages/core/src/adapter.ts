/**
 * @nevertrust/core/adapter — what a framework adapter needs and an application does not: the per-request
 * gate, request facts from Node, route markers and declarations, the look-ahead's destination, CORS
 * preflight recognition, the RFC 9728 metadata response and coverage building.
 *
 * @example
 * ```ts
 * import { openGate, proceed } from '@nevertrust/core/adapter';
 * const gate = openGate(req, res, settings, req.originalUrl, writeDenial(res));
 * proceed(gate.pass(requirements, route), next);
 * ```
 *
 * @packageDocumentation
 */
export {
  type AdapterOptions,
  type DenialMode,
  type PreflightKind,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
} from './adapter/adapter-options.js';
export { openCarriedGate } from './adapter/carried-gate.js';
export { isCorsPreflight, PREFLIGHT } from './adapter/cors-preflight.js';
export { type Destination, UNMATCHED } from './adapter/destination.js';
export { type FetchConnection, targetOf, toRequestFactsFromFetch } from './adapter/fetch-facts.js';
export { tlsFacts, toRequestFacts } from './adapter/node-facts.js';
export {
  type DenialWriter,
  findGate,
  type GateResponse,
  gateOf,
  openGate,
  proceed,
  RequestGate,
  type RouteInfo,
  requireGate,
  requirePrincipal,
} from './adapter/request-gate.js';
export {
  createRouteMarkers,
  type MarkerBuilders,
  type PrincipalLookup,
  type RouteMarkerAdapter,
  type RouteMarkers,
} from './adapter/route-markers.js';
export {
  createRouteMarker,
  declaredRequirements,
  type HandlerDecorator,
  type RouteMarker,
  requirementOf,
  undeclaredRouteProblem,
} from './adapter/route-requirements.js';
export {
  answerSignal,
  BODY_TIMEOUT_MS,
  findSignalEndpoint,
  type SignalBody,
  type SignalExchange,
  signalEndpointResponse,
} from './adapter/signal-endpoints.js';
export { type PropertyWatch, watchProperty } from './adapter/watched-property.js';
export { resourceMetadataResponse, type WellKnownResponse } from './adapter/well-known.js';
export { type ChallengeParams, formatChallenge } from './model/challenge.js';
export type { DenyBody } from './model/decision.js';
export { headerValues } from './model/facts.js';
export type { Completion } from './pipeline/guard.js';
export { buildCoverage, type CoverageRow, type DeclaredRoute, type HandlerKind } from './policy/coverage.js';
export type { PolicyView } from './policy/policy-layer.js';
export { assertRequirement, requirementProblems } from './policy/validate.js';
