/**
 * The `key` record of the audit trail: an issuer's key set changed. Either the operator withdrew or
 * restored a key or a whole issuer (`origin: 'operator'`, through `guard.keys`), or a refetch found keys
 * the issuer added or removed (`origin: 'issuer'`). Every change that makes cached verifications die is
 * on the trail, so "why was this token refused from 14:02 on" has an answer. Never holds key material.
 */
import { z } from 'zod';
import { AUDIT_SCHEMA } from '../model/audit.js';

/**
 * One change to an issuer's keys.
 *
 * @example
 * ```ts
 * // { type: 'key', origin: 'operator', action: 'withdrawn', scope: 'key',
 * //   issuer: 'https://idp.example.com/', keyId: '2025-06' }
 * ```
 */
export interface KeyEvent {
  readonly schema: typeof AUDIT_SCHEMA;
  readonly type: 'key';
  readonly time: string;
  /** Who changed the keys: the operator (`guard.keys`) or the issuer (seen at a refetch). */
  readonly origin: 'operator' | 'issuer';
  /** `withdrawn` / `restored` by the operator; `added` / `removed` by the issuer. */
  readonly action: 'withdrawn' | 'restored' | 'added' | 'removed';
  /** One key (by `kid`), or every key of the issuer. */
  readonly scope: 'key' | 'issuer';
  readonly issuer: string;
  /** The key's `kid`; absent for an issuer-wide change or a key published without one. */
  readonly keyId?: string;
  /** The key's algorithm, for keys the issuer added or removed. */
  readonly algorithm?: string;
}

/**
 * zod schema of a `key` record.
 *
 * @example
 * ```ts
 * if (keyEventSchema.safeParse(record).success && record.action === 'withdrawn') page(record);
 * ```
 */
export const keyEventSchema = z.object({
  schema: z.literal(AUDIT_SCHEMA),
  time: z.iso.datetime({ offset: true }),
  type: z.literal('key'),
  origin: z.enum(['operator', 'issuer']),
  action: z.enum(['withdrawn', 'restored', 'added', 'removed']),
  scope: z.enum(['key', 'issuer']),
  issuer: z.string(),
  keyId: z.string().optional(),
  algorithm: z.string().optional(),
});
