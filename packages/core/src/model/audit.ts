/**
 * Audit events: exactly one per evaluated request, whatever the outcome, emitted by the core so every
 * adapter leaves the same trail. An event never holds the token, only a short fingerprint of it (A12).
 * The `decision` record is defined once, as a zod schema (`audit-schema.ts`, loaded only by those who
 * validate records); its TypeScript type is inferred from it, so the type the core writes and the schema
 * a log pipeline validates against cannot drift.
 */
import type * as z from 'zod/mini';
import type { decisionEventSchema } from './audit-schema.js';

/** The version of the audit event shape; bumped on any incompatible change. */
export const AUDIT_SCHEMA = 'nevertrust.audit/1';

/**
 * A record type as its code sees it: every field and every list read-only. Applied to the types inferred
 * from the record schemas (zod infers mutable ones).
 */
export type Recorded<T> = { readonly [K in keyof T]: ReadonlyField<T[K]> };
type ReadonlyField<V> = V extends readonly (infer E)[] ? readonly E[] : V extends object ? Recorded<V> : V;

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
