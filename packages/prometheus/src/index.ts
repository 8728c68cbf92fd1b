/**
 * @nevertrust/prometheus — Prometheus metrics for a nevertrust guard, through `prom-client` (a peer
 * dependency, so the core stays free of it). Names follow Prometheus conventions (`_total` counters,
 * base units in seconds); every label is bounded: outcomes, reason codes, configured issuers, sink
 * names, detector names, and route templates capped at `maxRoutes` — never raw paths, subjects or
 * addresses.
 *
 * @example
 * ```ts
 * import { createGuard } from '@nevertrust/core';
 * import { createPrometheusMetrics } from '@nevertrust/prometheus';
 * const metrics = createPrometheusMetrics();
 * const guard = createGuard({ issuers, metrics: [metrics] });
 * app.get('/metrics', async (_req, res) => res.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
 * ```
 *
 * @packageDocumentation
 */
import type { MetricsRecorder } from '@nevertrust/core';
import { boundedLabel } from '@nevertrust/core/sinks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Options of {@link createPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Registry to register the metrics in. Default: a new registry (use `register` for prom-client's global one). */
  readonly registry?: Registry;
  /** Metric name prefix. Default `nevertrust_`. */
  readonly prefix?: string;
  /** Distinct route templates kept as label values; later ones are reported as `other`. Default 200. */
  readonly maxRoutes?: number;
  /** Buckets of the verification latency histogram, in seconds. */
  readonly latencyBuckets?: readonly number[];
}

/** A metrics recorder for `createGuard({ metrics })`, with the registry to expose. */
export interface PrometheusMetrics extends Required<MetricsRecorder> {
  readonly registry: Registry;
}

/**
 * Default latency buckets: 100 µs (cache hits) to 5 s (a cold key fetch on a slow issuer).
 *
 * @example
 * ```ts
 * createPrometheusMetrics({ latencyBuckets: [...LATENCY_BUCKETS, 10] });
 * ```
 */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/**
 * Creates the Prometheus metrics of a guard.
 *
 * @example
 * ```ts
 * const metrics = createPrometheusMetrics({ registry: register });
 * createGuard({ issuers, metrics: [metrics] });
 * ```
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'nevertrust_';
  const registers = [registry];
  const decisions = new Counter({
    name: `${prefix}decisions_total`,
    help: 'Authorisation decisions by outcome, reason code and route template.',
    labelNames: ['outcome', 'reason', 'route'] as const,
    registers,
  });
  const latency = new Histogram({
    name: `${prefix}verification_duration_seconds`,
    help: 'Time to authenticate and authorise one request, by outcome and token cache result.',
    labelNames: ['outcome', 'cache'] as const,
    buckets: [...(options.latencyBuckets ?? LATENCY_BUCKETS)],
    registers,
  });
  const cache = new Counter({
    name: `${prefix}token_cache_lookups_total`,
    help: 'Verified-token cache lookups by result; hit ratio = hit / (hit + miss).',
    labelNames: ['result'] as const,
    registers,
  });
  const fetches = new Counter({
    name: `${prefix}key_fetches_total`,
    help: 'Key set and discovery fetch attempts by issuer and result.',
    labelNames: ['issuer', 'result'] as const,
    registers,
  });
  const fetchFailures = new Counter({
    name: `${prefix}key_fetch_failures_total`,
    help: 'Failed key set or discovery fetches by issuer.',
    labelNames: ['issuer'] as const,
    registers,
  });
  // Key-set health as timestamps (the Prometheus idiom): age = time() - last success.
  const lastSuccess = new Gauge({
    name: `${prefix}key_set_last_success_timestamp_seconds`,
    help: 'When the key set of an issuer was last fetched successfully (guard clock).',
    labelNames: ['issuer'] as const,
    registers,
  });
  const lastFailure = new Gauge({
    name: `${prefix}key_set_last_failure_timestamp_seconds`,
    help: 'When a key set or discovery fetch of an issuer last failed, by failure code (guard clock).',
    labelNames: ['issuer', 'code'] as const,
    registers,
  });
  const keyCount = new Gauge({
    name: `${prefix}key_set_keys`,
    help: 'Usable keys in the last key set fetched for an issuer.',
    labelNames: ['issuer'] as const,
    registers,
  });
  const keyChanges = new Counter({
    name: `${prefix}key_changes_total`,
    help: 'Issuer key changes: withdrawn or restored by the operator, added or removed by the issuer.',
    labelNames: ['issuer', 'origin', 'action'] as const,
    registers,
  });
  const refusedKeys = new Counter({
    name: `${prefix}keys_refused_total`,
    help: 'Members of fetched key sets refused by key hygiene, by issuer and rule (weak, private, …).',
    labelNames: ['issuer', 'rule'] as const,
    registers,
  });
  const lost = new Counter({
    name: `${prefix}audit_records_dropped_total`,
    help: 'Audit records a sink lost, by sink and reason (queue_full, write_failed).',
    labelNames: ['sink', 'reason'] as const,
    registers,
  });
  const detections = new Counter({
    name: `${prefix}detections_total`,
    help: 'Anomaly detector firings by detector and action (report, block).',
    labelNames: ['detector', 'action'] as const,
    registers,
  });
  const storeFaults = new Counter({
    name: `${prefix}store_faults_total`,
    help: 'Store calls that failed or timed out, by store and answer (refused, failed_open).',
    labelNames: ['store', 'answer'] as const,
    registers,
  });
  const introspections = new Counter({
    name: `${prefix}introspections_total`,
    help: 'RFC 7662 introspection calls by issuer and outcome (active, inactive, unavailable, circuit-open).',
    labelNames: ['issuer', 'outcome'] as const,
    registers,
  });
  const route = boundedLabel(options.maxRoutes ?? 200);
  return {
    registry,
    decision(event) {
      decisions.inc({ outcome: event.outcome, reason: event.reason, route: route(event.route) });
      const lookup = event.tokenFingerprint === undefined ? 'none' : event.cacheHit ? 'hit' : 'miss';
      latency.observe({ outcome: event.outcome, cache: lookup }, event.durationMs / 1000);
      if (lookup !== 'none') cache.inc({ result: lookup });
    },
    keyFetch(report) {
      fetches.inc({ issuer: report.issuer, result: report.ok ? 'success' : 'failure' });
      for (const refused of report.refusedKeys ?? [])
        refusedKeys.inc({ issuer: report.issuer, rule: refused.rule });
      if (!report.ok) {
        fetchFailures.inc({ issuer: report.issuer });
        lastFailure.set({ issuer: report.issuer, code: report.code ?? 'unknown' }, report.at / 1000);
        return;
      }
      lastSuccess.set({ issuer: report.issuer }, report.at / 1000);
      keyCount.set({ issuer: report.issuer }, report.keyCount);
    },
    keyChange({ issuer, origin, action }) {
      keyChanges.inc({ issuer, origin, action });
    },
    auditLoss(sink, reason, count) {
      lost.inc({ sink, reason }, count);
    },
    detection(event) {
      detections.inc({ detector: event.detector, action: event.action });
    },
    storeFault(report) {
      storeFaults.inc({ store: report.store, answer: report.failedOpen ? 'failed_open' : 'refused' });
    },
    introspection(report) {
      introspections.inc({ issuer: report.issuer, outcome: report.outcome });
    },
  };
}
