/**
 * Continuous monitoring: the audit trail (schema, sinks, hash chain, redaction), metrics and tracing,
 * rate limits and anomaly detectors. Re-exported from the package root.
 */
export {
  STORE_FAULT_CHANNEL,
  STORE_FAULT_CODES,
  type StoreFaultCode,
  type StoreFaultReport,
  type StoreKind,
} from '../store-faults.js';
export {
  type ChainedRecord,
  type ChainKey,
  type ChainLink,
  type ChainProblem,
  type ChainTear,
  type ChainVerification,
  type ChainVerifyOptions,
  chainHash,
  chainLine,
  GENESIS_HASH,
  verifyAuditChain,
} from './chain.js';
export { correlationIdOf, DEFAULT_CORRELATION_HEADERS, traceIdOf } from './correlation.js';
export { DETECTOR_DEFAULTS, type DetectorOptions, type DetectorSettings } from './detectors.js';
export { type KeyEvent, keyEventSchema } from './key-event.js';
export {
  createEvaluationTracing,
  createOpenTelemetryMetrics,
  INSTRUMENTATION_SCOPE,
  type OpenTelemetryOptions,
} from './opentelemetry.js';
export type { AuditOptions, CounterStoreFaultOptions, MonitoringOptions } from './options.js';
export type { AuditSinkStats } from './pipeline.js';
export type { LossReason } from './queue.js';
export type { RateLimitKey, RateLimitRule } from './rate-limit.js';
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
export { createHashChainSink, type HashChainSinkOptions } from './sinks/hash-chain.js';
export { createJsonLinesSink, type JsonLinesTarget } from './sinks/json-lines.js';
export { createOpenTelemetryLogSink } from './sinks/opentelemetry-logs.js';
export { createPinoSink, type PinoChildLike, type PinoLike, type PinoSinkOptions } from './sinks/pino.js';
export type { RotationSettings } from './sinks/rotating-file.js';
export {
  type CounterStore,
  createMemoryCounterStore,
  type MemoryCounterStoreOptions,
  type WindowCount,
} from './store.js';
