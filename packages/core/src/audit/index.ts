/**
 * Continuous monitoring: the audit trail (schema, redaction, the in-process sinks), the metrics and
 * tracing hooks, rate limits and anomaly detectors. Re-exported from the package root; the file sinks,
 * the pino sink and the hash-chain verifier are on the `@nevertrust/core/sinks` subpath.
 */

export { DETECTOR_DEFAULTS, type DetectorOptions, type DetectorSettings } from '../limits/detectors.js';
export type { RateLimitKey, RateLimitRule } from '../limits/rate-limit.js';
export {
  type CounterStore,
  createMemoryCounterStore,
  type MemoryCounterStoreOptions,
  type WindowCount,
} from '../limits/store.js';
export {
  STORE_FAULT_CHANNEL,
  STORE_FAULT_CODES,
  type StoreFaultCode,
  type StoreFaultReport,
  type StoreKind,
} from '../model/store-faults.js';
export { correlationIdOf, DEFAULT_CORRELATION_HEADERS, traceIdOf } from './correlation.js';
export { type KeyEvent, keyEventSchema } from './key-event.js';
export type {
  AuditOptions,
  CounterStoreFaultOptions,
  MonitoringOptions,
} from './options.js';
export type { AuditSinkStats } from './pipeline.js';
export type { LossReason } from './queue.js';
export { boundedLabel, combineRecorders, type MetricsRecorder } from './recorder.js';
export {
  type AuditRedactor,
  minimalRecord,
  type RedactableField,
  type RedactionMode,
  redactFields,
} from './redact.js';
export {
  type AuditRecord,
  auditJsonSchema,
  auditRecordSchema,
  type DetectionEvent,
  type DetectorName,
  decisionEventSchema,
  detectionEventSchema,
  type GapEvent,
  gapEventSchema,
  type KeyRefusedEvent,
  keyRefusedEventSchema,
} from './schema.js';
export type { AuditSink } from './sink.js';
export { createCallbackSink } from './sinks/callback.js';
export { AUDIT_CHANNEL, createDiagnosticsChannelSink } from './sinks/diagnostics-channel.js';
export type { EvaluationSpan, EvaluationTracer } from './tracing.js';
