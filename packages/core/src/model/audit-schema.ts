/**
 * The zod schemas of the audit trail's shared fields and of the `decision` record (the type the core
 * writes, `AuditEvent`, is inferred from it in `audit.ts`). Only validation loads this module: the
 * sinks entry's record schemas, never the request path, so the core builds no schema at import.
 */
import * as z from 'zod/mini';
import { AUDIT_SCHEMA } from './audit.js';
import type { ErrorCode } from './errors.js';

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

const hex = (length: number) => z.string().check(z.regex(new RegExp(`^[0-9a-f]{${length}}$`)));

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
  correlationId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** OpenTelemetry trace id of the evaluation, when a tracing SDK is active. */
  traceId: z.optional(hex(32)),
  /** OpenTelemetry span id of the evaluation, when a tracing SDK is active. */
  spanId: z.optional(hex(16)),
};

// On the wire a code is any `OK` / `ERR_…` word, so a trail written by a later minor version (with codes
// added since) still validates; the type is the code list of this version, which the core writes.
const code = z.pipe(z.string().check(z.regex(/^(OK|ERR_[A-Z0-9_]+)$/)), z.custom<ErrorCode | 'OK'>());
const text = z.string();
const optionalText = z.optional(text);

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
  status: z.number().check(z.int(), z.gte(100), z.lte(599)),
  method: text,
  /** Request path without the query (a query may carry a token). */
  path: text,
  route: optionalText,
  remoteAddress: optionalText,
  issuer: optionalText,
  subject: optionalText,
  clientId: optionalText,
  principalKind: z.optional(z.enum(['user', 'service'])),
  tokenId: optionalText,
  keyId: optionalText,
  /** First 16 characters of base64url(SHA-256(token)): enough to correlate, useless to replay. */
  tokenFingerprint: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{16}$/))),
  requirement: text,
  requiredScopes: z.optional(z.array(text)),
  grantedScopes: z.optional(z.array(text)),
  /** Whether the verified-token cache answered. */
  cacheHit: z.boolean(),
  /** Time spent deciding, in milliseconds. */
  durationMs: z.number().check(z.gte(0)),
  /** Time the handler took, when an adapter reports it. */
  handlerDurationMs: z.optional(z.number().check(z.gte(0))),
  /** Internal explanation of a refusal; never sent to the client. */
  detail: optionalText,
  /** A policy refusal that dry-run computed but did not enforce: what the response would have been. */
  dryRun: z.optional(
    z.object({ reason: z.pipe(code, z.custom<ErrorCode>()), status: z.number().check(z.int()) }),
  ),
});
