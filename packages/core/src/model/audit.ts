/**
 * Audit events: exactly one per evaluated request, whatever the outcome, emitted by the core so every
 * adapter leaves the same trail. An event never holds the token, only a short fingerprint of it (A12).
 * The `decision` record is defined once, as a zod schema; its TypeScript type is inferred from it, so the
 * type the core writes and the schema a log pipeline validates against cannot drift. The fields every
 * record of the trail shares are here too, for the other record types (`audit/schema.ts`).
 */
import { z } from 'zod';
import type { ErrorCode } from './errors.js';

/** The version of the audit event shape; bumped on any incompatible change. */
export const AUDIT_SCHEMA = 'nevertrust.audit/1';

/**
 * A record type as its code sees it: every field and every list read-only. Applied to the types inferred
 * from the record schemas (zod infers mutable ones).
 */
export type Recorded<T> = { readonly [K in keyof T]: ReadonlyField<T[K]> };
type ReadonlyField<V> = V extends readonly (infer E)[] ? readonly E[] : V extends object ? Recorded<V> : V;

/**
 * `schema` and `time`, the fields of every record in the trail.
 *
 * @example
 * ```ts
 * const gapEventSchema = z.object({ ...recordFields, type: z.literal('gap') });
 * ```
 */
export const recordFields = {
  schema: z.literal(AUDIT_SCHEMA),
  /** ISO 8601 time of the record. */
  time: z.iso.datetime({ offset: true }),
};

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`));

/**
 * The correlation fields of records caused by a request (decisions and detections).
 *
 * @example
 * ```ts
 * const detectionEventSchema = z.object({ ...recordFields, ...requestFields, type: z.literal('detection') });
 * ```
 */
export const requestFields = {
  /** Correlates the request across services: from `traceparent` or a request-id header, else generated. */
  correlationId: z.string().min(1).max(128),
  /** OpenTelemetry trace id of the evaluation, when a tracing SDK is active. */
  traceId: hex(32).optional(),
  /** OpenTelemetry span id of the evaluation, when a tracing SDK is active. */
  spanId: hex(16).optional(),
};

// On the wire a code is any `OK` / `ERR_…` word, so a trail written by a later minor version (with codes
// added since) still validates; the type is the code list of this version, which the core writes.
const code = z
  .string()
  .regex(/^(OK|ERR_[A-Z0-9_]+)$/)
  .pipe(z.custom<ErrorCode | 'OK'>());
const text = z.string();
const optionalText = text.optional();

/**
 * zod schema of a `decision` record, the source of {@link AuditEvent}.
 *
 * @example
 * ```ts
 * decisionEventSchema.parse(decision.audit);
 * ```
 */
export const decisionEventSchema = z.object({
  ...recordFields,
  ...requestFields,
  /** Record type in the trail: decisions, detections and gaps share one versioned schema. */
  type: z.literal('decision'),
  outcome: z.enum(['allow', 'deny']),
  /** `OK`, or the error code of the refusal. */
  reason: code,
  /** Status of the decision; adapters replace it with the final HTTP status when they complete the event. */
  status: z.number().int().min(100).max(599),
  method: text,
  /** Request path without the query (a query may carry a token). */
  path: text,
  route: optionalText,
  remoteAddress: optionalText,
  issuer: optionalText,
  subject: optionalText,
  clientId: optionalText,
  principalKind: z.enum(['user', 'service']).optional(),
  tokenId: optionalText,
  keyId: optionalText,
  /** First 16 characters of base64url(SHA-256(token)): enough to correlate, useless to replay. */
  tokenFingerprint: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16}$/)
    .optional(),
  requirement: text,
  requiredScopes: z.array(text).optional(),
  grantedScopes: z.array(text).optional(),
  /** Whether the verified-token cache answered. */
  cacheHit: z.boolean(),
  /** Time spent deciding, in milliseconds. */
  durationMs: z.number().min(0),
  /** Time the handler took, when an adapter reports it. */
  handlerDurationMs: z.number().min(0).optional(),
  /** Internal explanation of a refusal; never sent to the client. */
  detail: optionalText,
  /** A policy refusal that dry-run computed but did not enforce: what the response would have been. */
  dryRun: z.object({ reason: code.pipe(z.custom<ErrorCode>()), status: z.number().int() }).optional(),
});

/**
 * One authorisation decision, as recorded: the type of {@link decisionEventSchema}.
 *
 * @example
 * ```ts
 * createGuard({ issuers, onAudit: (event) => logger.info(event, 'authz') });
 * ```
 */
export interface AuditEvent extends Recorded<z.output<typeof decisionEventSchema>> {}

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
