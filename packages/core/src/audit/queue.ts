/**
 * The bounded queue in front of each sink. Offering a record is O(1) and never waits: when the queue is
 * full the record is dropped and counted, and a `gap` record is written in its place once the sink catches
 * up, so a reader of the trail sees exactly where and how much was lost. A sink that throws loses its batch
 * the same way. Records are written in batches by one drain loop per sink, off the request's path.
 * A record is unconfirmed from its offer until the sink's write of it resolves; the fail-closed mode bounds
 * how many may be unconfirmed and for how long (`maxUnconfirmed`, `maxUnconfirmedMs`), so a sink that
 * hangs or lags turns unhealthy within those bounds instead of once its whole queue has filled.
 */
import { AUDIT_SCHEMA } from '../model/audit.js';
import type { AuditRecord, GapEvent } from './schema.js';
import type { AuditSink } from './sink.js';

/** Why records were lost. */
export type LossReason = GapEvent['reason'];

/** Settings of a {@link SinkQueue}. */
export interface SinkQueueSettings {
  /** Records held at most; further records are dropped until the sink catches up. */
  readonly capacity: number;
  /** Records handed to the sink in one `write` call at most. */
  readonly batchSize: number;
  /** Current time in milliseconds, for `gap` record times. */
  readonly clock: () => number;
  /** Reports every loss as it happens (metrics). */
  readonly onLoss?: (sink: string, reason: LossReason, count: number) => void;
  /** Unhealthy once this many records are unconfirmed (queued or being written). Default: no bound. */
  readonly maxUnconfirmed?: number;
  /** Unhealthy once the oldest unconfirmed record is older than this. Default: no bound. */
  readonly maxUnconfirmedMs?: number;
}

/** A sink behind its bounded queue. */
export interface SinkQueue {
  readonly name: string;
  /** Queues a record; `false` when it was dropped because the queue is full. */
  offer(record: AuditRecord): boolean;
  /**
   * False while the queue is full, the last write failed, or the unconfirmed records exceed their bounds:
   * records cannot be written (soon enough) right now.
   */
  healthy(): boolean;
  /** Records waiting. */
  depth(): number;
  /** Records lost so far, by reason. */
  losses(): Readonly<Record<LossReason, number>>;
  /** Resolves once every queued record was handed to the sink (or `timeoutMs` passed). */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes, then closes the sink. */
  close(timeoutMs?: number): Promise<void>;
}

interface Entry {
  readonly record: AuditRecord;
  /** When it was offered (`performance.now()`): a monotonic clock, whatever the guard's clock says. */
  readonly at: number;
  /** Records dropped right after this one because the queue was full. */
  dropsAfter: number;
}

/**
 * Puts `sink` behind a bounded queue.
 *
 * @example
 * ```ts
 * const queue = createSinkQueue(createCallbackSink(send), { capacity: 10_000, batchSize: 256, clock: Date.now });
 * queue.offer(record); // never waits
 * ```
 */
export function createSinkQueue(sink: AuditSink, settings: SinkQueueSettings): SinkQueue {
  // A plain array read from `head`: O(1) offers and batch takes, compacted now and then.
  let entries: Entry[] = [];
  let head = 0;
  const size = () => entries.length - head;
  let draining = false;
  let failing = false;
  let pendingFull = 0;
  let pendingFailed = 0;
  /** Records of the batch being written, and when the oldest of them was offered. */
  let writing = 0;
  let writingSince = 0;
  const maxUnconfirmed = settings.maxUnconfirmed ?? Number.POSITIVE_INFINITY;
  const maxUnconfirmedMs = settings.maxUnconfirmedMs ?? Number.POSITIVE_INFINITY;
  const lost: Record<LossReason, number> = { queue_full: 0, write_failed: 0 };
  let idle: (() => void)[] = [];

  function report(reason: LossReason, count: number): void {
    lost[reason] += count;
    try {
      settings.onLoss?.(sink.name, reason, count);
    } catch {
      // A faulty metrics hook must not stop the drain loop.
    }
  }

  function gap(reason: LossReason, dropped: number): GapEvent {
    return {
      schema: AUDIT_SCHEMA,
      type: 'gap',
      time: new Date(settings.clock()).toISOString(),
      sink: sink.name,
      dropped,
      reason,
    };
  }

  function nextBatch(): { records: AuditRecord[]; real: number; full: number } {
    const taken = entries.slice(head, head + settings.batchSize);
    head += taken.length;
    if (head === entries.length) {
      entries = [];
      head = 0;
    } else if (head >= 4096) {
      entries = entries.slice(head);
      head = 0;
    }
    const records: AuditRecord[] = [];
    if (pendingFailed > 0) records.push(gap('write_failed', pendingFailed));
    if (pendingFull > 0) records.push(gap('queue_full', pendingFull));
    let full = pendingFull;
    for (const entry of taken) {
      records.push(entry.record);
      if (entry.dropsAfter > 0) {
        records.push(gap('queue_full', entry.dropsAfter));
        full += entry.dropsAfter;
      }
    }
    return { records, real: taken.length, full };
  }

  async function drain(): Promise<void> {
    while (size() > 0) {
      writingSince = (entries[head] as Entry).at;
      const batch = nextBatch();
      writing = batch.real;
      try {
        await sink.write(batch.records);
        failing = false;
        pendingFailed = 0;
        pendingFull = 0;
      } catch {
        failing = true;
        // The gaps that rode in the failed batch are written again with the next one.
        pendingFull = batch.full;
        pendingFailed += batch.real;
        report('write_failed', batch.real);
      } finally {
        writing = 0;
      }
    }
    draining = false;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  }

  function schedule(): void {
    if (draining) return;
    draining = true;
    // setImmediate: the sink's code never runs inside the request that produced the record.
    setImmediate(() => void drain());
  }

  function flush(timeoutMs = 5000): Promise<void> {
    if (!draining && size() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  return {
    name: sink.name,
    offer(record) {
      if (size() >= settings.capacity) {
        const last = size() > 0 ? entries[entries.length - 1] : undefined;
        if (last) last.dropsAfter += 1;
        else pendingFull += 1;
        report('queue_full', 1);
        return false;
      }
      entries.push({ record, at: performance.now(), dropsAfter: 0 });
      schedule();
      return true;
    },
    healthy() {
      if (failing || size() >= settings.capacity) return false;
      if (writing + size() >= maxUnconfirmed) return false;
      const oldest = writing > 0 ? writingSince : size() > 0 ? (entries[head] as Entry).at : undefined;
      return oldest === undefined || performance.now() - oldest <= maxUnconfirmedMs;
    },
    depth: size,
    losses: () => ({ ...lost }),
    flush,
    async close(timeoutMs) {
      await flush(timeoutMs);
      await sink.close?.();
    },
  };
}
