/**
 * Metrics recorders: the one interface both the OpenTelemetry metrics (`@nevertrust/opentelemetry`) and
 * the Prometheus metrics (`@nevertrust/prometheus`) implement, so every adapter feeds them the same way.
 * Recorders are called synchronously with counts only; a throwing recorder is contained.
 */

import type { KeyFetchReport } from '../keys/remote-key-source.js';
import type { AuditEvent } from '../model/audit.js';
import type { StoreFaultReport } from '../model/store-faults.js';
import type { IntrospectionReport } from '../token/introspector.js';
import type { KeyEvent } from './key-event.js';
import type { LossReason } from './queue.js';
import type { DetectionEvent } from './schema.js';

/**
 * Receives what metrics are made of. Every method is optional.
 *
 * @example
 * ```ts
 * const recorder: MetricsRecorder = { decision: (event) => counter.add(1, { outcome: event.outcome }) };
 * createGuard({ issuers, metrics: [recorder] });
 * ```
 */
export interface MetricsRecorder {
  /** One call per request, when its audit event is recorded (with the final status). */
  decision?(event: AuditEvent): void;
  /** One call per key-set or discovery fetch attempt. */
  keyFetch?(report: KeyFetchReport): void;
  /** Audit records a sink lost (queue full, or a failed write). */
  auditLoss?(sink: string, reason: LossReason, count: number): void;
  /** One call per detector firing. */
  detection?(event: DetectionEvent): void;
  /** One call per store fault (a store that threw, rejected or timed out), by store. */
  storeFault?(report: StoreFaultReport): void;
  /** One call per change to an issuer's keys (operator withdrawal or restore, issuer rotation). */
  keyChange?(event: KeyEvent): void;
  /** One call per RFC 7662 introspection call, or per request refused by an open circuit breaker. */
  introspection?(report: IntrospectionReport): void;
}

/**
 * Calls every recorder, containing faults: metrics must never change a decision.
 *
 * @example
 * ```ts
 * const all = combineRecorders([prometheus, openTelemetry]);
 * all.decision?.(event);
 * ```
 */
export function combineRecorders(recorders: readonly MetricsRecorder[]): Required<MetricsRecorder> {
  function each<K extends keyof MetricsRecorder>(name: K) {
    return (...args: Parameters<Required<MetricsRecorder>[K]>) => {
      for (const recorder of recorders) {
        try {
          (recorder[name] as ((...a: typeof args) => void) | undefined)?.(...args);
        } catch {
          // A recorder fault is the recorder's problem; the request goes on.
        }
      }
    };
  }
  return {
    decision: each('decision'),
    keyFetch: each('keyFetch'),
    auditLoss: each('auditLoss'),
    detection: each('detection'),
    storeFault: each('storeFault'),
    keyChange: each('keyChange'),
    introspection: each('introspection'),
  };
}

/**
 * Keeps a label's cardinality bounded: the first `max` distinct values pass, later ones become `other`.
 * Route templates are bounded by the application, but an adapter that fell back to raw paths (or an
 * unmatched route) must not let a scanner create one time series per probed URL.
 *
 * @example
 * ```ts
 * const route = boundedLabel(100);
 * route('/orders/:id'); // '/orders/:id'
 * ```
 */
export function boundedLabel(max: number, fallback = 'other'): (value: string | undefined) => string {
  const seen = new Set<string>();
  return (value) => {
    if (value === undefined || value === '') return 'none';
    if (seen.has(value)) return value;
    if (seen.size >= max) return fallback;
    seen.add(value);
    return value;
  };
}
