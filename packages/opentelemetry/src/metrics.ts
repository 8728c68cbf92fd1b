/**
 * Counters and histograms through `@opentelemetry/api`: decisions by outcome, reason and route template,
 * evaluation latency, token cache lookups, key fetches, lost audit records, detector firings and store
 * faults. Every attribute is bounded (route templates capped at `maxRoutes`; never raw paths, subjects or
 * addresses).
 */
import type { MetricsRecorder } from '@nevertrust/core';
import { boundedLabel } from '@nevertrust/core/sinks';
import { type MeterProvider, metrics } from '@opentelemetry/api';
import { expectProvider, INSTRUMENTATION_SCOPE, openTelemetryGlobals } from './scope.js';

/** Options of {@link createOpenTelemetryMetrics}. */
export interface OpenTelemetryMetricsOptions {
  /** Default: the global provider, used from the first request after the application registers it. */
  readonly meterProvider?: MeterProvider;
  /** Distinct route templates kept as attribute values; later ones are reported as `other`. Default 200. */
  readonly maxRoutes?: number;
}

/** From 100 µs (cache hits) to 5 s (a cold key fetch on a slow issuer), in seconds. */
const LATENCY_BOUNDARIES = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/**
 * Creates the metrics recorder of `createGuard({ metrics })`, with instruments from the given or the
 * global meter provider.
 *
 * @example
 * ```ts
 * createGuard({ issuers, metrics: [createOpenTelemetryMetrics({ meterProvider })] });
 * ```
 */
export function createOpenTelemetryMetrics(options: OpenTelemetryMetricsOptions = {}): MetricsRecorder {
  const { meterProvider } = options;
  expectProvider('meterProvider', meterProvider, 'getMeter');
  const maxRoutes = options.maxRoutes ?? 200;
  // Instruments are created on first use once a provider exists: the metrics API has no proxy, and an
  // application may register its MeterProvider after creating the guard. Until then nothing is recorded.
  let instruments: Required<MetricsRecorder> | undefined;
  const use = () => {
    if (instruments === undefined) {
      if (meterProvider === undefined && openTelemetryGlobals()?.metrics === undefined) return undefined;
      instruments = createInstruments(meterProvider ?? metrics.getMeterProvider(), maxRoutes);
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
    introspection: (report) => use()?.introspection(report),
  };
}

function createInstruments(provider: MeterProvider, maxRoutes: number): Required<MetricsRecorder> {
  const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
  const decisions = meter.createCounter('nevertrust.decisions', {
    description: 'Authorisation decisions, by outcome, reason code and route template',
  });
  const duration = meter.createHistogram('nevertrust.evaluation.duration', {
    description: 'Time to authenticate and authorise one request',
    unit: 's',
    advice: { explicitBucketBoundaries: LATENCY_BOUNDARIES },
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
  const introspections = meter.createCounter('nevertrust.introspections', {
    description: 'RFC 7662 introspection calls, by issuer and outcome',
  });
  const route = boundedLabel(maxRoutes);
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
    introspection: ({ issuer, outcome }) =>
      introspections.add(1, { 'nevertrust.issuer': issuer, 'nevertrust.outcome': outcome }),
  };
}
