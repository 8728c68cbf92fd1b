/**
 * What an audit sink is: something that stores or forwards batches of audit records. Sinks run behind a
 * bounded queue (see `queue.ts`), never on a request's path, so a slow or failing sink cannot slow or fail
 * a request; only the opt-in fail-closed mode lets sink health reach the decision.
 */
import type { AuditRecord } from './schema.js';

/**
 * A destination for audit records.
 *
 * @example
 * ```ts
 * const sink: AuditSink = {
 *   name: 'siem',
 *   async write(records) { await siem.send(records); },
 * };
 * createGuard({ issuers, audit: { sinks: [sink] } });
 * ```
 */
export interface AuditSink {
  /** Names the sink in metrics (`sink` label) and in `gap` records; keep it short and stable. */
  readonly name: string;
  /**
   * Stores records in order. Rejecting (or throwing) counts the whole batch as lost (`write_failed`) and
   * marks the sink unhealthy until a later write succeeds.
   */
  write(records: readonly AuditRecord[]): void | Promise<void>;
  /** Releases files or connections; called once by `guard.close()` after the queue drained. */
  close?(): void | Promise<void>;
}
