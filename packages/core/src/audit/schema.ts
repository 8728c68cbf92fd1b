/**
 * The audit trail's one versioned schema (`nevertrust.audit/1`), as zod and as JSON Schema. A trail holds
 * four record types: `decision` (one per request), `detection` (an anomaly detector fired), `gap`
 * (records a sink lost, so loss is visible in the trail itself rather than silent), `key` (an issuer's
 * keys changed) and `key-refused` (a fetched key failed key hygiene). Within a version fields
 * are only ever added; removing or changing one bumps the version. No record type has room for a token, a
 * secret or a private key: tokens appear only as a 16-character SHA-256 fingerprint (checklist A12).
 */
import { z } from 'zod';
import { AUDIT_SCHEMA, type AuditEvent } from '../model/audit.js';
import { type KeyEvent, keyEventSchema } from './key-event.js';
import { type KeyRefusedEvent, keyRefusedEventSchema } from './key-refused-event.js';

export { type KeyRefusedEvent, keyRefusedEventSchema } from './key-refused-event.js';

/** Which detector raised a {@link DetectionEvent}. */
export type DetectorName = 'auth-failure-burst' | 'scope-probing' | 'token-spread';

/**
 * An anomaly detector crossed its threshold. Shares `correlationId` with the request that tipped it over.
 *
 * @example
 * ```ts
 * // { type: 'detection', detector: 'auth-failure-burst', offender: 'peer', remoteAddress: '203.0.113.7',
 * //   count: 20, threshold: 20, windowSeconds: 60, action: 'block', blockedUntil: '2025-…' }
 * ```
 */
export interface DetectionEvent {
  readonly schema: typeof AUDIT_SCHEMA;
  readonly type: 'detection';
  readonly time: string;
  readonly correlationId: string;
  readonly traceId?: string;
  readonly spanId?: string;
  readonly detector: DetectorName;
  /** What is being counted: a peer address, a principal (issuer + subject) or one token (issuer + jti). */
  readonly offender: 'peer' | 'principal' | 'token';
  readonly remoteAddress?: string;
  readonly issuer?: string;
  readonly subject?: string;
  readonly clientId?: string;
  readonly tokenId?: string;
  readonly tokenFingerprint?: string;
  readonly route?: string;
  /** Events (or distinct peer addresses, for `token-spread`) counted in the window. */
  readonly count: number;
  readonly threshold: number;
  readonly windowSeconds: number;
  /** `report` only, or `block` the offender until `blockedUntil`. */
  readonly action: 'report' | 'block';
  readonly blockedUntil?: string;
}

/**
 * A sink lost records: its queue was full, or writing failed. Written to that sink at the point of loss.
 *
 * @example
 * ```ts
 * // { type: 'gap', sink: 'json-lines:/var/log/authz.log', dropped: 42, reason: 'queue_full' }
 * ```
 */
export interface GapEvent {
  readonly schema: typeof AUDIT_SCHEMA;
  readonly type: 'gap';
  readonly time: string;
  readonly sink: string;
  readonly dropped: number;
  readonly reason: 'queue_full' | 'write_failed';
}

/**
 * Anything the audit trail holds; `key` records are described in `key-event.ts`, `key-refused` records in
 * `key-refused-event.ts`.
 */
export type AuditRecord = AuditEvent | DetectionEvent | GapEvent | KeyEvent | KeyRefusedEvent;

const time = z.iso.datetime({ offset: true });
const text = z.string();
const optionalText = text.optional();
const code = z.string().regex(/^(OK|ERR_[A-Z0-9_]+)$/);
const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`));
const common = {
  schema: z.literal(AUDIT_SCHEMA),
  time,
};
const trail = {
  correlationId: z.string().min(1).max(128),
  traceId: hex(32).optional(),
  spanId: hex(16).optional(),
};

/**
 * zod schema of a `decision` record.
 *
 * @example
 * ```ts
 * decisionEventSchema.parse(decision.audit);
 * ```
 */
export const decisionEventSchema = z.object({
  ...common,
  ...trail,
  type: z.literal('decision'),
  outcome: z.enum(['allow', 'deny']),
  reason: code,
  status: z.number().int().min(100).max(599),
  method: text,
  path: text,
  route: optionalText,
  remoteAddress: optionalText,
  issuer: optionalText,
  subject: optionalText,
  clientId: optionalText,
  principalKind: z.enum(['user', 'service']).optional(),
  tokenId: optionalText,
  keyId: optionalText,
  tokenFingerprint: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16}$/)
    .optional(),
  requirement: text,
  requiredScopes: z.array(text).optional(),
  grantedScopes: z.array(text).optional(),
  cacheHit: z.boolean(),
  durationMs: z.number().min(0),
  handlerDurationMs: z.number().min(0).optional(),
  detail: optionalText,
  dryRun: z.object({ reason: code, status: z.number().int() }).optional(),
});

/**
 * zod schema of a `detection` record.
 *
 * @example
 * ```ts
 * if (detectionEventSchema.safeParse(record).success) alert(record);
 * ```
 */
export const detectionEventSchema = z.object({
  ...common,
  ...trail,
  type: z.literal('detection'),
  detector: z.enum(['auth-failure-burst', 'scope-probing', 'token-spread']),
  offender: z.enum(['peer', 'principal', 'token']),
  remoteAddress: optionalText,
  issuer: optionalText,
  subject: optionalText,
  clientId: optionalText,
  tokenId: optionalText,
  tokenFingerprint: optionalText,
  route: optionalText,
  count: z.number().int().min(0),
  threshold: z.number().int().min(1),
  windowSeconds: z.number().int().min(1),
  action: z.enum(['report', 'block']),
  blockedUntil: time.optional(),
});

/**
 * zod schema of a `gap` record.
 *
 * @example
 * ```ts
 * if (gapEventSchema.safeParse(record).success) page('audit records lost');
 * ```
 */
export const gapEventSchema = z.object({
  ...common,
  type: z.literal('gap'),
  sink: text,
  dropped: z.number().int().min(1),
  reason: z.enum(['queue_full', 'write_failed']),
});

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
]);

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

// The interfaces and the schemas describe the same records: a drift between them fails the build.
type Mutable<V> = V extends readonly (infer E)[] ? E[] : V;
type MutableDeep<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
type Assignable<T, U extends T> = U;
// biome-ignore lint/correctness/noUnusedVariables: a compile-time check, never used as a type.
type SchemaDriftCheck = [
  Assignable<z.input<typeof decisionEventSchema>, MutableDeep<AuditEvent>>,
  Assignable<z.input<typeof detectionEventSchema>, MutableDeep<DetectionEvent>>,
  Assignable<z.input<typeof gapEventSchema>, MutableDeep<GapEvent>>,
  Assignable<z.input<typeof keyEventSchema>, MutableDeep<KeyEvent>>,
  Assignable<z.input<typeof keyRefusedEventSchema>, MutableDeep<KeyRefusedEvent>>,
];
