/**
 * OpenTelemetry through `@opentelemetry/api` only: a span per evaluation carrying the decision, and
 * counters and histograms. Without an SDK registered by the application every call is a no-op, so this is
 * on by default. Span attributes never include the subject or the token (they would leave the trail's
 * redaction behind); the audit record, linked by trace and span id, holds those.
 */
import { createRequire } from 'node:module';
import type {
  Attributes,
  MeterProvider,
  Span,
  SpanContext,
  Tracer,
  TracerProvider,
} from '@opentelemetry/api';
import type { AuditEvent } from '../audit.js';
import type { RequestFacts } from '../facts.js';
import { boundedLabel, type MetricsRecorder } from './recorder.js';

/**
 * The library's instrumentation scope name (tracer, meter and logger name).
 *
 * @example
 * ```ts
 * const spans = exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === INSTRUMENTATION_SCOPE);
 * ```
 */
export const INSTRUMENTATION_SCOPE = '@nevertrust/core';

type OpenTelemetryApi = typeof import('@opentelemetry/api');

/** Where every copy of `@opentelemetry/api` 1.x keeps what an application registered (SDK providers, context manager). */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');
const requireApi = createRequire(import.meta.url);
let loadedApi: OpenTelemetryApi | undefined;

/**
 * What the application registered with the OpenTelemetry API so far (`trace`, `metrics`, `context`, …),
 * or `undefined` before any registration. One property read: cheap enough to ask per request, so a
 * provider registered after the guard was created is still followed.
 *
 * @example
 * ```ts
 * if (openTelemetryGlobals()?.trace !== undefined) startSpan();
 * ```
 */
export function openTelemetryGlobals(): Readonly<Record<string, unknown>> | undefined {
  return (globalThis as Record<symbol, Record<string, unknown> | undefined>)[OTEL_GLOBAL];
}

/**
 * The OpenTelemetry API, loaded on first need: a process that never registers an SDK (and passes no
 * provider) never loads it (measured: memory). The API is built for several copies in one process — they
 * share the registration above — so its CommonJS build serves an application that imports the ES build.
 *
 * @example
 * ```ts
 * const tracer = openTelemetryApi().trace.getTracer(INSTRUMENTATION_SCOPE);
 * ```
 */
export function openTelemetryApi(): OpenTelemetryApi {
  loadedApi ??= requireApi('@opentelemetry/api') as OpenTelemetryApi;
  return loadedApi;
}

/** OpenTelemetry settings; both signals are on by default and cost nothing without an SDK. */
export interface OpenTelemetryOptions {
  /** A span per evaluation. Default true. */
  readonly tracing?: boolean;
  /** Counters and histograms. Default true. */
  readonly metrics?: boolean;
  /** Default: the global provider. */
  readonly tracerProvider?: TracerProvider;
  /** Default: the global provider. */
  readonly meterProvider?: MeterProvider;
}

/** The span of one evaluation, and the ids the audit record links to. */
export interface EvaluationSpan {
  readonly traceId?: string;
  readonly spanId?: string;
  /** Runs `work` with this span active, so spans started inside (key fetches) become its children. */
  run<T>(work: () => T): T;
  /** Records the decision on the span and ends it. */
  end(event: AuditEvent): void;
}

/**
 * The span of an evaluation when tracing is off.
 *
 * @example
 * ```ts
 * const span = tracingOn ? startSpan(facts) : NO_SPAN;
 * ```
 */
export const NO_SPAN: EvaluationSpan = { run: (work) => work(), end: () => {} };

/** Attributes describing a decision, shared by spans and metrics. */
function decisionAttributes(event: AuditEvent): Attributes {
  const attributes: Attributes = {
    'nevertrust.outcome': event.outcome,
    'nevertrust.reason': event.reason,
    'nevertrust.requirement': event.requirement,
    'nevertrust.cache_hit': event.cacheHit,
    'http.response.status_code': event.status,
  };
  if (event.issuer !== undefined) attributes['nevertrust.issuer'] = event.issuer;
  if (event.principalKind !== undefined) attributes['nevertrust.principal_kind'] = event.principalKind;
  if (event.clientId !== undefined) attributes['nevertrust.client_id'] = event.clientId;
  return attributes;
}

/**
 * Creates the per-evaluation span factory, or one that does nothing when tracing is off.
 *
 * @example
 * ```ts
 * const startSpan = createEvaluationTracing({});
 * const span = startSpan(facts);
 * span.end(decision.audit);
 * ```
 */
export function createEvaluationTracing(
  options: OpenTelemetryOptions,
): (facts: RequestFacts) => EvaluationSpan {
  if (options.tracing === false) return () => NO_SPAN;
  const provider: TracerProvider | undefined = options.tracerProvider;
  let tracer: Tracer | undefined;
  return (facts) => {
    if (tracer === undefined) {
      // Nothing registered and no provider given: the API would hand out a no-op span without ids, so
      // skip it (and do not load it). Checked per request, so a provider registered later still counts.
      if (provider === undefined && openTelemetryGlobals() === undefined) return NO_SPAN;
      // The global API hands out a proxy tracer that follows a provider registered later.
      tracer = (provider ?? openTelemetryApi().trace).getTracer(INSTRUMENTATION_SCOPE);
    }
    const { context, SpanKind, SpanStatusCode, trace, isSpanContextValid } = openTelemetryApi();
    const attributes: Attributes = {};
    if (typeof facts.method === 'string') attributes['http.request.method'] = facts.method;
    if (typeof facts.routeId === 'string') attributes['http.route'] = facts.routeId;
    const span: Span = tracer.startSpan('nevertrust.evaluate', { kind: SpanKind.INTERNAL, attributes });
    const spanContext: SpanContext = span.spanContext();
    const valid = isSpanContextValid(spanContext);
    // The no-op tracer (no SDK registered, no parent span) hands out a span that records nothing and has
    // no ids: making it the active span would only cost a context per request (measured in the benchmarks).
    if (!valid && !span.isRecording()) return NO_SPAN;
    const ids = valid ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {};
    return {
      ...ids,
      run: (work) => context.with(trace.setSpan(context.active(), span), work),
      end(event) {
        if (span.isRecording()) {
          span.setAttributes(decisionAttributes(event));
          if (event.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: event.reason });
        }
        span.end();
      },
    };
  };
}

const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/**
 * Creates the OpenTelemetry metrics recorder (instruments from the given or global meter provider).
 *
 * @example
 * ```ts
 * createGuard({ issuers, metrics: [createOpenTelemetryMetrics(meterProvider)], openTelemetry: { metrics: false } });
 * ```
 */
export function createOpenTelemetryMetrics(meterProvider?: MeterProvider): MetricsRecorder {
  // Instruments are created on first use once a provider exists: the metrics API has no proxy, and an
  // application may register its MeterProvider after creating the guard. Until then nothing is recorded
  // and the API is not even loaded (measured in the benchmarks).
  let instruments: ReturnType<typeof createInstruments> | undefined;
  const use = () => {
    if (instruments === undefined) {
      if (meterProvider === undefined && openTelemetryGlobals()?.metrics === undefined) return undefined;
      instruments = createInstruments(meterProvider ?? openTelemetryApi().metrics.getMeterProvider());
    }
    return instruments;
  };
  return {
    decision: (event) => use()?.decision(event),
    keyFetch: (report) => use()?.keyFetch(report),
    auditLoss: (sink, reason, count) => use()?.auditLoss(sink, reason, count),
    detection: (event) => use()?.detection(event),
    storeFault: (report) => use()?.storeFault(report),
    keyChange: (event) => use()?.keyChange(event),
  };
}

function createInstruments(provider: MeterProvider): Required<MetricsRecorder> {
  const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
  const decisions = meter.createCounter('nevertrust.decisions', {
    description: 'Authorisation decisions, by outcome, reason code and route template',
  });
  const duration = meter.createHistogram('nevertrust.evaluation.duration', {
    description: 'Time to authenticate and authorise one request',
    unit: 's',
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
  });
  const cache = meter.createCounter('nevertrust.token_cache.lookups', {
    description: 'Verified-token cache lookups, by result (hit or miss)',
  });
  const fetches = meter.createCounter('nevertrust.key_fetches', {
    description: 'Key set and discovery fetch attempts, by issuer and result',
  });
  const fetchDuration = meter.createHistogram('nevertrust.key_fetch.duration', {
    description: 'Time of one key set fetch',
    unit: 's',
  });
  const refused = meter.createCounter('nevertrust.keys_refused', { description: 'Keys refused, by rule' });
  const lost = meter.createCounter('nevertrust.audit.lost', {
    description: 'Audit records lost by a sink, by reason (queue_full, write_failed)',
  });
  const detections = meter.createCounter('nevertrust.detections', {
    description: 'Anomaly detector firings, by detector and action',
  });
  const storeFaults = meter.createCounter('nevertrust.store.faults', {
    description: 'Store calls that failed or timed out, by store and answer (refused, failed_open)',
  });
  const keyChanges = meter.createCounter('nevertrust.key_changes', { description: 'Issuer key changes' });
  const route = boundedLabel(200);
  return {
    decision(event) {
      decisions.add(1, {
        'nevertrust.outcome': event.outcome,
        'nevertrust.reason': event.reason,
        'http.route': route(event.route),
      });
      duration.record(event.durationMs / 1000, {
        'nevertrust.outcome': event.outcome,
        'nevertrust.cache_hit': event.cacheHit,
      });
      if (event.tokenFingerprint !== undefined) cache.add(1, { result: event.cacheHit ? 'hit' : 'miss' });
    },
    keyFetch(report) {
      const issuer = { 'nevertrust.issuer': report.issuer };
      const result = report.ok ? 'success' : 'failure';
      fetches.add(1, { ...issuer, result });
      fetchDuration.record(report.durationMs / 1000, { ...issuer, result });
      for (const { rule } of report.refusedKeys ?? []) refused.add(1, { ...issuer, key_rule: rule });
    },
    auditLoss(sink, reason, count) {
      lost.add(count, { sink, reason });
    },
    detection(event) {
      detections.add(1, { detector: event.detector, action: event.action });
    },
    storeFault(report) {
      storeFaults.add(1, { store: report.store, answer: report.failedOpen ? 'failed_open' : 'refused' });
    },
    keyChange: ({ issuer, origin, action }) =>
      keyChanges.add(1, { 'nevertrust.issuer': issuer, 'nevertrust.origin': origin, action }),
  };
}
