/**
 * Audit events: exactly one per evaluated request, whatever the outcome, emitted by the core so every
 * adapter leaves the same trail. An event never holds the token, only a short fingerprint of it (A12).
 */
import type { ErrorCode } from './errors.js';

/** The version of the audit event shape; bumped on any incompatible change. */
export const AUDIT_SCHEMA = 'nevertrust.audit/1';

/**
 * One authorisation decision, as recorded.
 *
 * @example
 * ```ts
 * createGuard({ issuers, onAudit: (event) => logger.info(event, 'authz') });
 * ```
 */
export interface AuditEvent {
  readonly schema: typeof AUDIT_SCHEMA;
  /** Record type in the trail: decisions, detections and gaps share one versioned schema. */
  readonly type: 'decision';
  /** Correlates the request across services: from `traceparent` or a request-id header, else generated. */
  readonly correlationId: string;
  /** OpenTelemetry trace id of the evaluation, when a tracing SDK is active. */
  readonly traceId?: string;
  /** OpenTelemetry span id of the evaluation, when a tracing SDK is active. */
  readonly spanId?: string;
  /** ISO 8601 time of the decision. */
  readonly time: string;
  readonly outcome: 'allow' | 'deny';
  /** `OK`, or the error code of the refusal. */
  readonly reason: ErrorCode | 'OK';
  /** Status of the decision; adapters replace it with the final HTTP status when they complete the event. */
  readonly status: number;
  readonly method: string;
  /** Request path without the query (a query may carry a token). */
  readonly path: string;
  readonly route: string | undefined;
  readonly remoteAddress: string | undefined;
  readonly issuer: string | undefined;
  readonly subject: string | undefined;
  readonly clientId: string | undefined;
  readonly principalKind: 'user' | 'service' | undefined;
  readonly tokenId: string | undefined;
  readonly keyId: string | undefined;
  /** First 16 characters of base64url(SHA-256(token)): enough to correlate, useless to replay. */
  readonly tokenFingerprint: string | undefined;
  readonly requirement: string;
  readonly requiredScopes: readonly string[] | undefined;
  readonly grantedScopes: readonly string[] | undefined;
  /** Whether the verified-token cache answered. */
  readonly cacheHit: boolean;
  /** Time spent deciding, in milliseconds. */
  readonly durationMs: number;
  /** Time the handler took, when an adapter reports it. */
  readonly handlerDurationMs?: number;
  /** Internal explanation of a refusal; never sent to the client. */
  readonly detail: string | undefined;
  /** A policy refusal that dry-run computed but did not enforce: what the response would have been. */
  readonly dryRun?: { readonly reason: ErrorCode; readonly status: number };
}

/** Receives audit events. A throwing listener never changes a decision. */
export type AuditListener = (event: AuditEvent) => void;

/** Delivers an event, containing any fault of the listener. */
export function emitAudit(listener: AuditListener | undefined, event: AuditEvent): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // The decision stands whatever the listener does; monitoring of listener faults comes with the sinks.
  }
}
