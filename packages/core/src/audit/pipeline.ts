/**
 * The record step: every audit record goes through redaction, then to the inline `onAudit` listener
 * (decisions only, as before) and to each sink's bounded queue. Nothing here waits for a sink. The
 * pipeline also answers the fail-closed question: can records be written right now?
 */
import { type AuditListener, emitAudit } from '../model/audit.js';
import { createSinkQueue, type SinkQueue } from './queue.js';
import type { MetricsRecorder } from './recorder.js';
import { type AuditRedactor, minimalRecord } from './redact.js';
import type { AuditRecord } from './schema.js';
import type { AuditSink } from './sink.js';

/** Settings of the audit pipeline. */
export interface AuditPipelineSettings {
  readonly sinks: readonly AuditSink[];
  readonly queueSize: number;
  readonly batchSize: number;
  readonly redact: AuditRedactor | undefined;
  readonly onAudit: AuditListener | undefined;
  readonly recorder: Required<MetricsRecorder>;
  readonly clock: () => number;
  /** Fail-closed mode: the unconfirmed-record bounds of each sink apply to {@link AuditPipeline.healthy}. */
  readonly failClosed: boolean;
  readonly maxUnconfirmedRecords: number;
  readonly maxUnconfirmedMs: number;
}

/** The record step of a guard. */
export interface AuditPipeline {
  /** Records one audit record; `false` when some sink had to drop it. */
  record(record: AuditRecord): boolean;
  /** Whether every sink can take records now (queue not full, last write succeeded, within the bounds). */
  healthy(): boolean;
  /** Per sink: queued records and losses so far. */
  stats(): readonly AuditSinkStats[];
  flush(timeoutMs?: number): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
}

/** The state of one sink, for health checks. */
export interface AuditSinkStats {
  readonly sink: string;
  readonly healthy: boolean;
  readonly queued: number;
  readonly lost: { readonly queue_full: number; readonly write_failed: number };
}

/**
 * Creates the audit pipeline.
 *
 * @example
 * ```ts
 * const pipeline = createAuditPipeline({ sinks, queueSize: 10_000, batchSize: 256, redact: undefined,
 *   onAudit: undefined, recorder: combineRecorders([]), clock: Date.now,
 *   failClosed: true, maxUnconfirmedRecords: 256, maxUnconfirmedMs: 500 });
 * pipeline.record(decision.audit);
 * ```
 */
export function createAuditPipeline(settings: AuditPipelineSettings): AuditPipeline {
  const { recorder } = settings;
  const queues: SinkQueue[] = settings.sinks.map((sink) =>
    createSinkQueue(sink, {
      capacity: settings.queueSize,
      batchSize: settings.batchSize,
      clock: settings.clock,
      onLoss: recorder.auditLoss,
      // Outside fail-closed mode a lagging sink decides nothing, and health means "can take records".
      ...(settings.failClosed
        ? { maxUnconfirmed: settings.maxUnconfirmedRecords, maxUnconfirmedMs: settings.maxUnconfirmedMs }
        : {}),
    }),
  );

  function redacted(record: AuditRecord): AuditRecord | undefined {
    if (!settings.redact) return record;
    try {
      return settings.redact(record);
    } catch {
      return minimalRecord(record);
    }
  }

  return {
    record(record) {
      if (record.type === 'decision') recorder.decision(record);
      else if (record.type === 'detection') recorder.detection(record);
      else if (record.type === 'key') recorder.keyChange(record);
      const written = redacted(record);
      if (written === undefined) return true;
      if (written.type === 'decision') emitAudit(settings.onAudit, written);
      let accepted = true;
      for (const queue of queues) accepted = queue.offer(written) && accepted;
      return accepted;
    },
    healthy: () => queues.every((queue) => queue.healthy()),
    stats: () =>
      queues.map((queue) => ({
        sink: queue.name,
        healthy: queue.healthy(),
        queued: queue.depth(),
        lost: queue.losses(),
      })),
    async flush(timeoutMs) {
      await Promise.all(queues.map((queue) => queue.flush(timeoutMs)));
    },
    async close(timeoutMs) {
      await Promise.all(queues.map((queue) => queue.close(timeoutMs)));
    },
  };
}
