/**
 * @nevertrust/opentelemetry — OpenTelemetry for a nevertrust guard, through `@opentelemetry/api` (a peer
 * dependency: the application's own copy is used, so spans and metrics reach the SDK it registered). Three
 * plugs, each optional: a span per evaluation (`tracing`), counters and histograms (`metrics`), and audit
 * records as log records (an audit sink). Without a provider registered or passed, each costs nothing.
 *
 * @example
 * ```ts
 * import { createGuard } from '@nevertrust/core';
 * import { createOpenTelemetryMetrics, createOpenTelemetryTracing } from '@nevertrust/opentelemetry';
 * const guard = createGuard({
 *   issuers,
 *   tracing: createOpenTelemetryTracing(),
 *   metrics: [createOpenTelemetryMetrics()],
 * });
 * ```
 *
 * @packageDocumentation
 */
export {
  type AuditLogRecord,
  createOpenTelemetryLogSink,
  type LoggerLike,
  type LoggerProviderLike,
  type OpenTelemetryLogSinkOptions,
} from './log-sink.js';
export { createOpenTelemetryMetrics, type OpenTelemetryMetricsOptions } from './metrics.js';
export { INSTRUMENTATION_SCOPE } from './scope.js';
export { createOpenTelemetryTracing, type OpenTelemetryTracingOptions } from './tracing.js';
