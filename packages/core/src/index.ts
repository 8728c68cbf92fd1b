/**
 * @nevertrust/core — zero-trust request verification for Node.js HTTP APIs: what an application uses.
 * Create a guard, state requirements, read the principal and the decision, wire stores and sinks. The
 * rest lives on subpaths: `@nevertrust/core/policy` (the requirement language in depth, the policy table,
 * revocation, resource metadata), `@nevertrust/core/sinks` (the audit trail's records, file sinks, the hash
 * chain, metrics and tracing helpers for integrations) and `@nevertrust/core/adapter` (for framework
 * adapters).
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
export type { NevertrustOptions } from './adapter/adapter-options.js';
export type { GuardHealth, StoreHealth } from './audit/guard-health.js';
export type { AuditOptions, MonitoringOptions } from './audit/options.js';
export type { MetricsRecorder } from './audit/recorder.js';
export type { AuditRecord } from './audit/schema.js';
export type { AuditSink } from './audit/sink.js';
export { createCallbackSink } from './audit/sinks/callback.js';
export { createDiagnosticsChannelSink } from './audit/sinks/diagnostics-channel.js';
export type { EvaluationTracer } from './audit/tracing.js';
export type { KeySetHealth } from './keys/key-health.js';
export type { KeyFetchReport } from './keys/remote-key-source.js';
export { type CounterStore, createMemoryCounterStore } from './limits/store.js';
export type { AuditEvent } from './model/audit.js';
export type { AllowDecision, Decision, DenyDecision } from './model/decision.js';
export { ERROR_TABLE } from './model/error-table.js';
export { ConfigError, type ErrorCode, isNevertrustError, NevertrustError } from './model/errors.js';
export type { RequestFacts, TlsFacts } from './model/facts.js';
export type {
  AuthenticationContext,
  Principal,
  PrincipalKind,
  SenderBinding,
  WorkloadIdentity,
} from './model/principal.js';
export { createGuard, type EvaluateOptions, type Guard } from './pipeline/guard.js';
export type { GuardOptions, IssuerOptions, KeyFetchOptions } from './pipeline/options.js';
export { type CoverageReport, formatCoverage } from './policy/coverage.js';
export type { PolicyOptions, RevocationOptions } from './policy/options.js';
// The policy stage's public face: the requirement builders an application states its routes with.
export {
  AUTHENTICATED,
  and,
  not,
  or,
  publicRoute,
  type Requirement,
  type RequirementLike,
  requireAddress,
  requireAnyRole,
  requireAnyScope,
  requireAuthentication,
  requireBinding,
  requireClaim,
  requireKind,
  requireMethod,
  requireOwnership,
  requireRoles,
  requireScopes,
  requireThat,
  requireWorkload,
} from './policy/requirements.js';
export { createMemoryRevocationStore, type RevocationStore } from './policy/revocation-store.js';
export type { PolicyRoute } from './policy/route-table.js';
export type { SignatureAlgorithm } from './token/algorithms.js';
export type { PrivateKeyInput } from './token/client-assertion.js';
export type { ClientAuthMethod } from './token/introspection-auth.js';
export type {
  IntrospectionOptions,
  IntrospectionResponseFormat,
} from './token/introspection-options.js';
export type { IntrospectionReport } from './token/introspector.js';
