/**
 * The demo's audit sink: keeps every event the API's guard emits, so each tour step can show the decision
 * behind its response and the tour can end with counts by outcome and reason.
 */
import type { AuditEvent, AuditListener } from '@nevertrust/core';

/** One line of the audit summary. */
export interface AuditCount {
  readonly outcome: string;
  readonly reason: string;
  readonly count: number;
}

/** Collected audit events. */
export interface AuditTrail {
  /** The listener to give the guard as `onAudit`. */
  readonly listener: AuditListener;
  readonly events: readonly AuditEvent[];
  /** The first event recorded after the first `after` events, waiting up to `timeoutMs` for it. */
  eventAfter(after: number, timeoutMs: number): Promise<AuditEvent | undefined>;
  /** Counts by outcome and reason, allows first, then by count. */
  summary(): readonly AuditCount[];
}

/**
 * Creates an empty trail.
 *
 * @example
 * ```ts
 * const trail = createAuditTrail();
 * nevertrust({ issuers, onAudit: trail.listener });
 * ```
 */
export function createAuditTrail(): AuditTrail {
  const events: AuditEvent[] = [];
  const waiters = new Set<() => void>();
  return {
    listener(event) {
      events.push(event);
      for (const wake of waiters) wake();
    },
    events,
    eventAfter(after, timeoutMs) {
      if (events.length > after) return Promise.resolve(events[after]);
      // Adapters complete an event when the response has been handed to the socket, which may be a
      // moment after the client has read it.
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(events[after]);
        };
        const check = () => {
          if (events.length > after) done();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(check);
      });
    },
    summary() {
      const counts = new Map<string, AuditCount>();
      for (const { outcome, reason } of events) {
        const key = `${outcome} ${reason}`;
        const count = counts.get(key)?.count ?? 0;
        counts.set(key, { outcome, reason, count: count + 1 });
      }
      return [...counts.values()].sort(
        (a, b) => a.outcome.localeCompare(b.outcome) || b.count - a.count || a.reason.localeCompare(b.reason),
      );
    },
  };
}
