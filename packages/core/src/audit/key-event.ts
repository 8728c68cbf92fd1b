/**
 * The `key` record of the audit trail: an issuer's key set changed. Either the operator withdrew or
 * restored a key or a whole issuer (`origin: 'operator'`, through `guard.keys`), or a refetch found keys
 * the issuer added or removed (`origin: 'issuer'`). Every change that makes cached verifications die is
 * on the trail, so "why was this token refused from 14:02 on" has an answer. Never holds key material.
 */
import * as z from 'zod/mini';
import type { Recorded } from '../model/audit.js';
import { recordFields } from '../model/audit-schema.js';

/**
 * zod schema of a `key` record, the source of {@link KeyEvent}.
 *
 * @example
 * ```ts
 * if (keyEventSchema.safeParse(record).success && record.action === 'withdrawn') page(record);
 * ```
 */
export const keyEventSchema = z.object({
  ...recordFields,
  type: z.literal('key'),
  /** Who changed the keys: the operator (`guard.keys`) or the issuer (seen at a refetch). */
  origin: z.enum(['operator', 'issuer']),
  /** `withdrawn` / `restored` by the operator; `added` / `removed` by the issuer. */
  action: z.enum(['withdrawn', 'restored', 'added', 'removed']),
  /** One key (by `kid`), or every key of the issuer. */
  scope: z.enum(['key', 'issuer']),
  issuer: z.string(),
  /** The key's `kid`; absent for an issuer-wide change or a key published without one. */
  keyId: z.optional(z.string()),
  /** The key's algorithm, for keys the issuer added or removed. */
  algorithm: z.optional(z.string()),
});

/**
 * One change to an issuer's keys: the type of {@link keyEventSchema}.
 *
 * @example
 * ```ts
 * // { type: 'key', origin: 'operator', action: 'withdrawn', scope: 'key',
 * //   issuer: 'https://idp.example.com/', keyId: '2025-06' }
 * ```
 */
export interface KeyEvent extends Recorded<z.output<typeof keyEventSchema>> {}
