/**
 * Fetched keys refused by key hygiene, as audit records: one `key-refused` record per refused member of
 * each fetch, naming the issuer and `kid`, so a weak or leaked key in a provider's set is seen in the trail
 * (and in every log sink) rather than silently skipped. Metrics count them from the fetch report itself.
 */

import type { KeyFetchReport } from '../keys/remote-key-source.js';
import { AUDIT_SCHEMA } from '../model/audit.js';
import type { KeyRefusedEvent } from './schema.js';

/**
 * The records for the refused members of one key fetch (none for most fetches).
 *
 * @example
 * ```ts
 * for (const record of keyRefusalRecords(report, Date.now())) pipeline.record(record);
 * ```
 */
export function keyRefusalRecords(report: KeyFetchReport, nowMs: number): KeyRefusedEvent[] {
  if (!report.refusedKeys) return [];
  const time = new Date(nowMs).toISOString();
  return report.refusedKeys.map((refused) => ({
    schema: AUDIT_SCHEMA,
    type: 'key-refused',
    time,
    issuer: report.issuer,
    ...(refused.kid === undefined ? {} : { keyId: refused.kid }),
    rule: refused.rule,
    detail: refused.reason,
  }));
}
