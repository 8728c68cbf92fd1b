/**
 * The demo's audit sink: keeps every decision the API's guard emits, so each tour step can show the decision
 * behind its response, and every detection record the anomaly detectors raise; the tour ends with counts of
 * both.
 */
import { type AuditEvent, type AuditSink, createCallbackSink } from '@nevertrust/core';
import type { AuditListener, DetectionEvent } from '@nevertrust/core/sinks';

/** One line of the audit summary. */
export interface AuditCount {
  /** `allow`, `deny`, or `detection` for a detector's record. */
  readonly outcome: string;
  /** The decision's reason, or a detection's detector and action. */
  readonly reason: string;
  readonly count: number;
}

/** Collected audit records. */
export interface AuditTrail {
  /** The listener to give the guard as `onAudit`: decisions, synchronously. */
  readonly listener: AuditListener;
  /** The sink to give the guard in `audit.sinks`: detection records arrive only through sinks. */
  readonly sink: AuditSink;
  readonly events: readonly AuditEvent[];
  readonly detections: readonly DetectionEvent[];
  /** The first event recorded after the first `after` events, waiting up to `timeoutMs` for it. */
  eventAfter(after: number, timeoutMs: number): Promise<AuditEvent | undefined>;
  /** The first detection `matches` accepts, waiting up to `timeoutMs` for it. */
  detection(
    matches: (detection: DetectionEvent) => boolean,
    timeoutMs: number,
  ): Promise<DetectionEvent | undefined>;
  /** Counts by outcome and reason: allows first, then denials, then detections, each by count. */
  summary(): readonly AuditCount[];
}

/**
 * Creates an empty trail.
 *
 * @example
 * ```ts
 * const trail = createAuditTrail();
 * createGuard({ issuers, onAudit: trail.listener, audit: { sinks: [trail.sink] } });
 * ```
 */
export function createAuditTrail(): AuditTrail {
  const events: AuditEvent[] = [];
  const detections: DetectionEvent[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const check of waiters) check();
  };
  // Resolves with what `find` returns once it returns something, or undefined after `timeoutMs`.
  function waitFor<T>(find: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => {
      const done = (value: T | undefined) => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(value);
      };
      const check = () => {
        const value = find();
        if (value !== undefined) done(value);
      };
      const timer = setTimeout(() => done(find()), timeoutMs);
      waiters.add(check);
    });
  }
  return {
    listener(event) {
      events.push(event);
      wake();
    },
    sink: createCallbackSink((record) => {
      if (record.type !== 'detection') return;
      detections.push(record);
      wake();
    }),
    events,
    detections,
    // Adapters complete an event when the response has been handed to the socket, which may be a moment
    // after the client has read it; sinks receive records in batches, outside the request.
    eventAfter: (after, timeoutMs) => waitFor(() => events[after], timeoutMs),
    detection: (matches, timeoutMs) => waitFor(() => detections.find(matches), timeoutMs),
    summary() {
      const counts = new Map<string, AuditCount>();
      const count = (outcome: string, reason: string) => {
        const key = `${outcome} ${reason}`;
        counts.set(key, { outcome, reason, count: (counts.get(key)?.count ?? 0) + 1 });
      };
      for (const { outcome, reason } of events) count(outcome, reason);
      for (const { detector, action } of detections) count('detection', `${detector} (${action})`);
      return [...counts.values()].sort(
        (a, b) => a.outcome.localeCompare(b.outcome) || b.count - a.count || a.reason.localeCompare(b.reason),
      );
    },
  };
}
