/**
 * Continuous monitoring around the guard's pipeline, in one place so every adapter gets the same:
 * - `begin`: correlation id and the evaluation span;
 * - `admit` (before verification): fail-closed audit health, blocked peers, per-peer rate limits;
 * - `review` (after the decision): blocked principals and tokens, per-principal and per-client rate
 *   limits, then the anomaly detectors, whose findings go to the trail;
 * - `commit`/`record`: the record step (redaction, onAudit, sink queues, metrics).
 * Store faults propagate to the guard, which answers `ERR_INTERNAL` (fail closed).
 */
import type { AuditEvent, AuditListener } from '../audit.js';
import { type Decision, type DenyDecision, denyResponse } from '../decision.js';
import type { ErrorCode } from '../errors.js';
import type { RequestFacts } from '../facts.js';
import type { KeyFetchReport } from '../remote-key-source.js';
import { correlationIdOf, generateCorrelationId } from './correlation.js';
import { blockKey, type OffenderKeys, observeDecision, offendersOf } from './detectors.js';
import { keyRefusalRecords } from './key-refusals.js';
import {
  createEvaluationTracing,
  createOpenTelemetryMetrics,
  type EvaluationSpan,
  NO_SPAN,
} from './opentelemetry.js';
import type { ResolvedMonitoring } from './options.js';
import { type AuditPipeline, type AuditSinkStats, createAuditPipeline } from './pipeline.js';
import { applyRateLimits, type RateLimitKey } from './rate-limit.js';
import { combineRecorders, type MetricsRecorder } from './recorder.js';
import { createMemoryCounterStore } from './store.js';

/** How one evaluation is tied to the rest of the trail. */
export interface TrailContext {
  readonly correlationId: string;
  readonly traceId?: string;
  readonly spanId?: string;
}

/** One evaluation in progress. */
export interface Evaluation {
  readonly trail: TrailContext;
  /** Runs the evaluation inside its span. */
  run<T>(work: () => T): T;
  /** Ends the span with the decision. */
  end(event: AuditEvent): void;
}

/** A refusal decided before verification; the guard turns it into a deny decision. */
export interface Refusal {
  readonly code: 'ERR_RATE_LIMITED' | 'ERR_BLOCKED' | 'ERR_AUDIT_UNAVAILABLE';
  readonly detail: string;
  readonly retryAfterSeconds: number;
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
  /** Records an event completed by an adapter (deferred audit). */
  record(event: AuditEvent): void;
  /** Feeds key fetch reports to metrics, refused keys to the trail, and reports to `keyFetch.onFetch`. */
  onKeyFetch(report: KeyFetchReport): void;
  stats(): readonly AuditSinkStats[];
  flush(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What {@link createMonitor} needs from the validated guard options. */
export interface MonitorSettings {
  readonly monitoring: ResolvedMonitoring;
  readonly onAudit: AuditListener | undefined;
  readonly onFetch: ((report: KeyFetchReport) => void) | undefined;
  readonly realm: string | undefined;
  readonly clock: () => number;
}

const AUDIT_RETRY_SECONDS = 5;

/**
 * Creates the monitoring hooks of one guard.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ monitoring: validated.monitoring, onAudit, onFetch, realm, clock });
 * ```
 */
export function createMonitor(settings: MonitorSettings): Monitor {
  const { monitoring, clock, realm } = settings;
  const otel = monitoring.openTelemetry;
  const recorders: MetricsRecorder[] = [...monitoring.metrics];
  if (otel !== false && otel.metrics !== false)
    recorders.push(createOpenTelemetryMetrics(otel.meterProvider));
  const recorder = combineRecorders(recorders);
  const startSpan = createEvaluationTracing(otel === false ? { tracing: false } : otel);
  const pipeline: AuditPipeline = createAuditPipeline({
    ...monitoring.audit,
    onAudit: settings.onAudit,
    recorder,
    clock,
  });
  const { rateLimits, detectors } = monitoring;
  const anyDetector = Object.keys(detectors).length > 0;
  const peerRules = rateLimits.some((rule) => rule.by === 'peer');
  const identityRules = rateLimits.some((rule) => rule.by !== 'peer');
  const blocksPeers = detectors['auth-failure-burst']?.blockSeconds !== undefined;
  const needsStore = anyDetector || rateLimits.length > 0;
  const store = monitoring.counterStore ?? (needsStore ? createMemoryCounterStore() : undefined);

  function refuse(
    decision: Decision,
    code: Exclude<ErrorCode, 'ERR_CONFIG'>,
    detail: string,
    retry?: number,
  ) {
    const response = denyResponse(code, {
      realm,
      ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
    });
    const audit: AuditEvent = {
      ...decision.audit,
      outcome: 'deny',
      reason: code,
      status: response.status,
      detail,
    };
    return { ...response, audit } satisfies DenyDecision;
  }

  async function blockedUntil(kind: keyof OffenderKeys, key: string | undefined, now: number) {
    return key === undefined || !store ? undefined : store.flag(blockKey(kind, key), now);
  }

  const secondsUntil = (untilMs: number, now: number) => Math.max(1, Math.ceil((untilMs - now) / 1000));

  async function admitPeer(facts: RequestFacts): Promise<Refusal | undefined> {
    if (!store) return undefined;
    const now = clock();
    const until = await blockedUntil('peer', facts.remoteAddress, now);
    if (until !== undefined) {
      return {
        code: 'ERR_BLOCKED',
        detail: 'peer blocked by auth-failure-burst',
        retryAfterSeconds: secondsUntil(until, now),
      };
    }
    if (!peerRules) return undefined;
    const over = await applyRateLimits(
      rateLimits,
      ['peer'],
      { peer: facts.remoteAddress },
      facts.routeId,
      store,
      now,
    );
    return (
      over && {
        code: 'ERR_RATE_LIMITED',
        detail: `rate limit ${over.rule}`,
        retryAfterSeconds: over.retryAfterSeconds,
      }
    );
  }

  async function reviewIdentity(decision: Decision): Promise<Decision> {
    if (!store) return decision;
    const now = clock();
    const event = decision.audit;
    const offenders = offendersOf(event);
    let current: Decision = decision;
    if ((await blockedUntil('token', offenders.token, now)) !== undefined) {
      current = refuse(current, 'ERR_TOKEN_SUSPENDED', 'token suspended by token-spread');
    } else {
      const until = await blockedUntil('principal', offenders.principal, now);
      if (until !== undefined) {
        current = refuse(
          current,
          'ERR_BLOCKED',
          'principal blocked by scope-probing',
          secondsUntil(until, now),
        );
      } else if (identityRules && offenders.principal !== undefined) {
        const keys: RateLimitKey[] = ['principal', 'client'];
        const client = event.clientId === undefined ? undefined : `${event.issuer}\n${event.clientId}`;
        const who = { principal: offenders.principal, client };
        const over = await applyRateLimits(rateLimits, keys, who, event.route, store, now);
        if (over)
          current = refuse(current, 'ERR_RATE_LIMITED', `rate limit ${over.rule}`, over.retryAfterSeconds);
      }
    }
    if (!anyDetector) return current;
    const observation = await observeDecision(current.audit, detectors, store, now);
    for (const detection of observation.detections) pipeline.record(detection);
    const blocked = observation.blocked;
    if (!blocked || current.outcome !== 'allow') return current;
    return blocked.offender === 'token'
      ? refuse(current, 'ERR_TOKEN_SUSPENDED', 'token suspended by token-spread')
      : refuse(current, 'ERR_BLOCKED', `${blocked.offender} blocked`, secondsUntil(blocked.untilMs, now));
  }

  return {
    begin(facts) {
      // Evaluation never throws: facts an adapter got wrong still get an id and, at worst, no span.
      let span: EvaluationSpan = NO_SPAN;
      let correlationId: string;
      try {
        span = startSpan(facts);
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
      if (monitoring.audit.failClosed && !pipeline.healthy()) {
        return {
          code: 'ERR_AUDIT_UNAVAILABLE',
          detail: 'audit sink unavailable (fail-closed)',
          retryAfterSeconds: AUDIT_RETRY_SECONDS,
        };
      }
      // Nothing to ask a store about: no promise, no microtask (issue 7).
      if (!store || (!blocksPeers && !peerRules)) return undefined;
      return admitPeer(facts);
    },

    review(decision) {
      if (!store || (!identityRules && !anyDetector)) return decision;
      return reviewIdentity(decision);
    },

    commit(decision) {
      // Checked before recording (nothing runs in between), so a request leaves exactly one record.
      const final =
        monitoring.audit.failClosed && decision.outcome === 'allow' && !pipeline.healthy()
          ? refuse(
              decision,
              'ERR_AUDIT_UNAVAILABLE',
              'audit sink unavailable (fail-closed)',
              AUDIT_RETRY_SECONDS,
            )
          : decision;
      pipeline.record(final.audit);
      return final;
    },

    record(event) {
      pipeline.record(event);
    },

    onKeyFetch(report) {
      recorder.keyFetch(report);
      for (const record of keyRefusalRecords(report, clock())) pipeline.record(record);
      settings.onFetch?.(report);
    },

    stats: () => pipeline.stats(),
    flush: (timeoutMs) => pipeline.flush(timeoutMs),
    close: () => pipeline.close(),
  };
}
