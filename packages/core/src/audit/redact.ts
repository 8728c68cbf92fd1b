/**
 * Redaction: the hook through which users drop or mask identifying fields (subject, client id, address,
 * …) before a record reaches onAudit or any sink, e.g. to meet data-minimisation rules. The trail holds no
 * token, secret or key to begin with (checklist A12); this is about personal data. A hook that throws
 * must not leak the unredacted record, so the pipeline then keeps only the fields that identify no one.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { AuditRecord } from './schema.js';

/** Returns the record to write (possibly changed), or `undefined` to leave it out of the trail. */
export type AuditRedactor = (record: AuditRecord) => AuditRecord | undefined;

/** Fields a {@link redactFields} rule may name. */
export type RedactableField =
  | 'subject'
  | 'clientId'
  | 'remoteAddress'
  | 'tokenId'
  | 'tokenFingerprint'
  | 'issuer'
  | 'keyId'
  | 'path'
  | 'detail'
  | 'grantedScopes'
  | 'requiredScopes';

/**
 * `drop` removes the field; `hash` replaces it with a salted SHA-256 prefix (still joinable across
 * records, not reversible without the salt); `mask` keeps an address's network (IPv4 /24, IPv6 /48) and
 * replaces any other value with `[redacted]`.
 */
export type RedactionMode = 'drop' | 'hash' | 'mask';

function maskAddress(value: string): string {
  const version = isIP(value);
  if (version === 4) return `${value.split('.').slice(0, 3).join('.')}.0`;
  if (version === 6) {
    const [head = ''] = value.split('::');
    return `${head.split(':').slice(0, 3).join(':')}::`;
  }
  return '[redacted]';
}

/**
 * Builds a redactor from per-field rules.
 *
 * @example
 * ```ts
 * createGuard({ issuers, audit: {
 *   redact: redactFields({ subject: 'hash', remoteAddress: 'mask', detail: 'drop' }, { salt: auditSalt }),
 * } });
 * ```
 */
export function redactFields(
  rules: Partial<Record<RedactableField, RedactionMode>>,
  options: { readonly salt?: string } = {},
): AuditRedactor {
  const salt = options.salt ?? '';
  const hashed = (value: string) =>
    `h:${createHash('sha256').update(salt).update('\0').update(value).digest('base64url').slice(0, 16)}`;
  return (record) => {
    const copy: Record<string, unknown> = { ...record };
    for (const [field, mode] of Object.entries(rules)) {
      const value = copy[field];
      if (value === undefined) continue;
      if (mode === 'drop') delete copy[field];
      else if (Array.isArray(value)) copy[field] = mode === 'hash' ? value.map(String).map(hashed) : [];
      else if (mode === 'hash') copy[field] = hashed(String(value));
      else copy[field] = field === 'remoteAddress' ? maskAddress(String(value)) : '[redacted]';
    }
    return copy as unknown as AuditRecord;
  };
}

const IDENTIFYING = [
  'remoteAddress',
  'issuer',
  'subject',
  'clientId',
  'tokenId',
  'tokenFingerprint',
  'keyId',
  'detail',
];

/**
 * What is left of a record when its redactor failed: nothing that names a person, client or address.
 *
 * @example
 * ```ts
 * minimalRecord(event); // outcome, reason, status, route, times and ids only
 * ```
 */
export function minimalRecord(record: AuditRecord): AuditRecord {
  const copy: Record<string, unknown> = { ...record };
  for (const field of IDENTIFYING) delete copy[field];
  if (record.type === 'decision') copy.path = '[redacted]';
  return copy as unknown as AuditRecord;
}
