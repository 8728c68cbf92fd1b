/**
 * The audit trail's one versioned schema (`nevertrust.audit/1`), as zod and as JSON Schema. A trail holds
 * six record types: `decision` (one per request), `detection` (an anomaly detector fired), `gap`
 * (records a sink lost, so loss is visible in the trail itself rather than silent), `key` (an issuer's
 * keys changed), `key-refused` (a fetched key failed key hygiene) and `signal` (a logout token or
 * security event received from the identity provider, applied or refused). Each is defined once, as a zod
 * schema, and its TypeScript type is inferred from it, so what the core writes and what a log pipeline
 * validates cannot drift. Within a version fields are only ever added; removing or changing one bumps the
 * version. No record type has room for a token, a secret or a private key: tokens appear only as a
 * 16-character SHA-256 fingerprint (checklist A12).
 */
import * as z from 'zod/mini';
import { KEY_RULES } from '../keys/key-hygiene.js';
import { AUDIT_SCHEMA, type AuditEvent, type Recorded } from '../model/audit.js';
import { decisionEventSchema, recordFields, requestFields } from '../model/audit-schema.js';
import { type KeyEvent, keyEventSchema } from './key-event.js';
import { type SignalEvent, signalEventSchema } from './signal-event.js';

export { decisionEventSchema };

const text = z.string();
const optionalText = z.optional(text);

const detectorNameSchema = z.enum(['auth-failure-burst', 'scope-probing', 'token-spread']);

/** Which detector raised a {@link DetectionEvent}. */
export type DetectorName = z.output<typeof detectorNameSchema>;

/**
 * zod schema of a `detection` record, the source of {@link DetectionEvent}.
 *
 * @example
 * ```ts
 * if (detectionEventSchema.safeParse(record).success) alert(record);
 * ```
 */
export const detectionEventSchema = z.object({
  ...recordFields,
  ...requestFields,
  type: z.literal('detection'),
  detector: detectorNameSchema,
  /** What is being counted: a peer address, a principal (issuer + subject) or one token (issuer + jti). */
  offender: z.enum(['peer', 'principal', 'token']),
  remoteAddress: optionalText,
  issuer: optionalText,
  subject: optionalText,
  clientId: optionalText,
  tokenId: optionalText,
  tokenFingerprint: optionalText,
  route: optionalText,
  /** Events (or distinct peer addresses, for `token-spread`) counted in the window. */
  count: z.number().check(z.int(), z.gte(0)),
  threshold: z.number().check(z.int(), z.gte(1)),
  windowSeconds: z.number().check(z.int(), z.gte(1)),
  /** `report` only, or `block` the offender until `blockedUntil`. */
  action: z.enum(['report', 'block']),
  blockedUntil: z.optional(recordFields.time),
});

/**
 * An anomaly detector crossed its threshold. Shares `correlationId` with the request that tipped it over.
 *
 * @example
 * ```ts
 * // { type: 'detection', detector: 'auth-failure-burst', offender: 'peer', remoteAddress: '203.0.113.7',
 * //   count: 20, threshold: 20, windowSeconds: 60, action: 'block', blockedUntil: '2025-…' }
 * ```
 */
export interface DetectionEvent extends Recorded<z.output<typeof detectionEventSchema>> {}

/**
 * zod schema of a `gap` record, the source of {@link GapEvent}.
 *
 * @example
 * ```ts
 * if (gapEventSchema.safeParse(record).success) page('audit records lost');
 * ```
 */
export const gapEventSchema = z.object({
  ...recordFields,
  type: z.literal('gap'),
  sink: text,
  dropped: z.number().check(z.int(), z.gte(1)),
  reason: z.enum(['queue_full', 'write_failed']),
});

/**
 * A sink lost records: its queue was full, or writing failed. Written to that sink at the point of loss.
 *
 * @example
 * ```ts
 * // { type: 'gap', sink: 'json-lines:/var/log/authz.log', dropped: 42, reason: 'queue_full' }
 * ```
 */
export interface GapEvent extends Recorded<z.output<typeof gapEventSchema>> {}

/**
 * zod schema of a `key-refused` record, the source of {@link KeyRefusedEvent}.
 *
 * @example
 * ```ts
 * if (keyRefusedEventSchema.safeParse(record).success) page(`weak key ${record.keyId}`);
 * ```
 */
export const keyRefusedEventSchema = z.object({
  ...recordFields,
  type: z.literal('key-refused'),
  issuer: text,
  keyId: optionalText,
  rule: z.enum(KEY_RULES),
  detail: text,
});

/**
 * A member of an issuer's fetched key set was refused by key hygiene and will verify nothing: a weak key
 * (short or ROCA RSA modulus, wrong exponent, invalid point), a key with private or symmetric members, or
 * one not meant for verification. Written on every fetch that still serves it.
 *
 * @example
 * ```ts
 * // { type: 'key-refused', issuer: 'https://idp.example/', keyId: 'k7', rule: 'rsa-roca',
 * //   detail: 'RSA modulus has the ROCA fingerprint (CVE-2017-15361)' }
 * ```
 */
export interface KeyRefusedEvent extends Recorded<z.output<typeof keyRefusedEventSchema>> {}

/**
 * zod schema of any audit record, discriminated by `type`. Unknown fields are accepted (later minor
 * additions within `nevertrust.audit/1`).
 *
 * @example
 * ```ts
 * const parsed = auditRecordSchema.safeParse(JSON.parse(line));
 * if (parsed.success && parsed.data.type === 'decision') console.log(parsed.data.reason);
 * ```
 */
export const auditRecordSchema = z.discriminatedUnion('type', [
  decisionEventSchema,
  detectionEventSchema,
  gapEventSchema,
  keyEventSchema,
  keyRefusedEventSchema,
  signalEventSchema,
]);

/** Anything the audit trail holds (what {@link auditRecordSchema} accepts). */
export type AuditRecord = AuditEvent | DetectionEvent | GapEvent | KeyEvent | KeyRefusedEvent | SignalEvent;

/**
 * The audit record schema as JSON Schema (draft 2020-12), for log pipelines and SIEM ingestion.
 *
 * @example
 * ```ts
 * writeFileSync('nevertrust-audit.schema.json', JSON.stringify(auditJsonSchema(), null, 2));
 * ```
 */
export function auditJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://nevertrust.dev/schemas/${AUDIT_SCHEMA}.json`,
    title: AUDIT_SCHEMA,
    ...z.toJSONSchema(auditRecordSchema, { io: 'input' }),
  };
}
