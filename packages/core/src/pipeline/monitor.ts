/**
 * Continuous monitoring around the guard's pipeline, in one place so every adapter gets the same:
 * - `begin`: correlation id and the evaluation span;
 * - `admit` (before verification): fail-closed audit health, blocked peers, per-peer rate limits;
 * - `review` (after the decision): blocked principals and tokens, per-principal and per-client rate
 *   limits, then the anomaly detectors, whose findings go to the trail;
 * - `commit`/`record`: the record step (redaction, onAudit, sink queues, metrics).
 * Counter store faults take the store-fault path (`store-faults.ts`): 503 `ERR_LIMITS_UNAVAILABLE`, or on
 * as if unlimited where the operator chose to fail the counters open; never `ERR_INTERNAL`.
 */

import type { TrailContext } from '../audit/audit-event.js';
import { correlationIdOf, generateCorrelationId } from '../audit/correlation.js';
import { createStoreHealthTracker, type StoreHealth } from '../audit/guard-health.js';
import { keyRefusalRecords } from '../audit/key-refusals.js';
import { createOperationalLog } from '../audit/operational-log.js';
import type { ResolvedMonitoring } from '../audit/options.js';
import { type AuditPipeline, type AuditSinkStats, createAuditPipeline } from '../audit/pipeline.js';
import { combineRecorders } from '../audit/recorder.js';
import type { AuditRecord } from '../audit/schema.js';
import { type EvaluationSpan, NO_SPAN } from '../audit/tracing.js';
import type { KeyHealthSummary } from '../keys/key-health.js';
import type { KeyFetchReport } from '../keys/remote-key-source.js';
import { createCounterChecks } from '../limits/counter-checks.js';
import type { Refusal } from '../limits/refusal.js';
import type { AuditEvent, AuditListener } from '../model/audit.js';
import type { Decision } from '../model/decision.js';
import type { RequestFacts } from '../model/facts.js';
import type { Refusals } from '../model/refusals.js';
import { createStoreFaultHandler, type StoreFault, type StoreRefusal } from '../model/store-faults.js';
import type { IntrospectionReport } from '../token/introspector.js';

export type { Refusal } from '../limits/refusal.js';

/** One evaluation in progress. */
export interface Evaluation {
  readonly trail: TrailContext;
  /** Runs the evaluation inside its span. */
  run<T>(work: () => T): T;
  /** Ends the span with the decision. */
  end(event: AuditEvent): void;
}

/** The guard's monitoring hooks. */
export interface Monitor {
  begin(facts: RequestFacts): Evaluation;
  /** Synchronous unless a counter store has to be asked (rate limits, blocks). */
  admit(facts: RequestFacts): Refusal | undefined | Promise<Refusal | undefined>;
  /** Synchronous unless a counter store has to be asked (rate limits, blocks, detectors). */
  review(decision: Decision): Decision | Promise<Decision>;
  /** Records the event of a finished evaluation; in fail-closed mode an allow that could not be recorded becomes a 503. */
  commit(decision: Decision): Decision;
  /** Records an event completed by an adapter (deferred audit), or a record made outside a request. */
  record(event: AuditRecord): void;
  /** Feeds key fetch reports to metrics, refused keys to the trail, and reports to `keyFetch.onFetch`. */
  onKeyFetch(report: KeyFetchReport): void;
  /** Counts an introspection call (metrics) and logs an unreachable or recovered provider. */
  onIntrospection(report: IntrospectionReport): void;
  /** The store-fault path of every store (counted, published; a refusal unless the store fails open). */
  storeFault(fault: StoreFault): StoreRefusal | undefined;
  stats(): readonly AuditSinkStats[];
  /** Each store that faulted, and whether it still counts as failing. */
  stores(): readonly StoreHealth[];
  flush(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What {@link createMonitor} needs from the validated guard options. */
export interface MonitorSettings {
  readonly monitoring: ResolvedMonitoring;
  readonly onAudit: AuditListener | undefined;
  readonly onFetch: ((report: KeyFetchReport) => void) | undefined;
  /** The guard's refusal builder, so the refusals decided here carry the same challenge as all others. */
  readonly refusals: Refusals;
  readonly clock: () => number;
  /** The health of an issuer's keys, for the operational log. */
  readonly keyHealth: (issuer: string) => KeyHealthSummary | undefined;
}

const AUDIT_RETRY_SECONDS = 5;

/**
 * Creates the monitoring hooks of one guard.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ monitoring: validated.monitoring, onAudit, onFetch, refusals, clock });
 * ```
 */
export function createMonitor(settings: MonitorSettings): Monitor {
  const { monitoring, clock } = settings;
  const log = monitoring.logger
    ? [createOperationalLog(monitoring.logger, { clock, keyHealth: settings.keyHealth })]
    : [];
  const storeHealth = createStoreHealthTracker(clock);
  const recorder = combineRecorders([...monitoring.metrics, ...log, storeHealth.recorder]);
  const { tracing } = monitoring;
  const pipeline: AuditPipeline = createAuditPipeline({
    ...monitoring.audit,
    onAudit: settings.onAudit,
    recorder,
    clock,
  });
  const { refuse } = settings.refusals;
  const storeFault = createStoreFaultHandler({
    failOpen: new Set(monitoring.counterStoreFaults.failOpen ? ['counters'] : []),
    count: recorder.storeFault,
  });
  const counters = createCounterChecks({
    monitoring,
    clock,
    refuse,
    record: (detection) => pipeline.record(detection),
    onFault: storeFault,
  });
  const { failClosed } = monitoring.audit;
  const auditRefusal: Refusal = {
    code: 'ERR_AUDIT_UNAVAILABLE',
    detail: 'audit sink unavailable (fail-closed)',
    retryAfterSeconds: AUDIT_RETRY_SECONDS,
  };
  // Fail-closed audit: an allow is granted only while every sink confirms records within its bounds.
  const unrecordable = (decision: Decision) =>
    failClosed && decision.outcome === 'allow' && !pipeline.healthy()
      ? refuse(decision, auditRefusal.code, auditRefusal.detail, AUDIT_RETRY_SECONDS)
      : decision;

  return {
    begin(facts) {
      // Evaluation never throws: facts an adapter got wrong still get an id and, at worst, no span.
      let span: EvaluationSpan = NO_SPAN;
      let correlationId: string;
      try {
        span = tracing?.startEvaluation(facts) ?? NO_SPAN;
        correlationId = correlationIdOf(facts, monitoring.audit.correlationHeaders);
      } catch {
        correlationId = generateCorrelationId();
      }
      const trail: TrailContext =
        span.traceId === undefined
          ? { correlationId }
          : { correlationId, traceId: span.traceId, ...(span.spanId ? { spanId: span.spanId } : {}) };
      if (span === NO_SPAN) return { trail, run: NO_SPAN.run, end: NO_SPAN.end };
      return {
        trail,
        run: span.run,
        end(event) {
          try {
            span.end(event);
          } catch {
            // A tracing SDK fault must not turn a decision into a rejected promise.
          }
        },
      };
    },

    admit(facts) {
      if (failClosed && !pipeline.healthy()) return auditRefusal;
      // Nothing to ask a store about: no promise, no microtask (measured in the benchmarks).
      return counters?.admits ? counters.admit(facts) : undefined;
    },

    // Checked again after the decision: verification may have waited (a key fetch) while a sink stalled.
    review(decision) {
      if (!counters?.reviews) return unrecordable(decision);
      return counters.review(decision).then(unrecordable);
    },

    commit(decision) {
      // Checked before recording (nothing runs in between), so a request leaves exactly one record.
      const final = unrecordable(decision);
      pipeline.record(final.audit);
      return final;
    },

    record(event) {
      pipeline.record(event);
    },

    storeFault,

    onKeyFetch(report) {
      recorder.keyFetch(report);
      for (const record of keyRefusalRecords(report, clock())) pipeline.record(record);
      settings.onFetch?.(report);
    },

    onIntrospection: (report) => recorder.introspection(report),

    stats: () => pipeline.stats(),
    stores: () => storeHealth.stores(),
    flush: (timeoutMs) => pipeline.flush(timeoutMs),
    close: () => pipeline.close(),
  };
}
