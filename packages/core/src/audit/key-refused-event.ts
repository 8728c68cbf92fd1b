/**
 * The `key-refused` record of the audit trail: key hygiene refused a member of an issuer's fetched key
 * set, so it verifies nothing. On the trail so a weak or misplaced key at the issuer is seen and fixed,
 * not only silently skipped. Names the rule and the key's `kid`, never key material.
 */
import { z } from 'zod';
import { KEY_RULES, type KeyRule } from '../keys/key-hygiene.js';
import { AUDIT_SCHEMA } from '../model/audit.js';

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
export interface KeyRefusedEvent {
  readonly schema: typeof AUDIT_SCHEMA;
  readonly type: 'key-refused';
  readonly time: string;
  readonly issuer: string;
  readonly keyId?: string;
  readonly rule: KeyRule;
  readonly detail: string;
}

/**
 * zod schema of a `key-refused` record.
 *
 * @example
 * ```ts
 * if (keyRefusedEventSchema.safeParse(record).success) page(`weak key ${record.keyId}`);
 * ```
 */
export const keyRefusedEventSchema = z.object({
  schema: z.literal(AUDIT_SCHEMA),
  time: z.iso.datetime({ offset: true }),
  type: z.literal('key-refused'),
  issuer: z.string(),
  keyId: z.string().optional(),
  rule: z.enum(KEY_RULES),
  detail: z.string(),
});
