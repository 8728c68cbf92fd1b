/**
 * `@nevertrust/core/sinks` — audit sinks that write outside the process, and the verifier of the
 * tamper-evident files. Kept off the main entry: an application that audits through `onAudit`, a
 * callback or `diagnostics_channel` never needs them, and `nevertrust-audit verify` (in `@nevertrust/cli`)
 * needs only the verifier.
 *
 * @example
 * ```ts
 * import { createGuard } from '@nevertrust/core';
 * import { createHashChainSink, createJsonLinesSink } from '@nevertrust/core/sinks';
 * createGuard({ issuers, audit: { sinks: [
 *   createJsonLinesSink({ stream: process.stdout }),
 *   createHashChainSink({ path: '/var/log/authz.chain', key: readFileSync('/etc/nevertrust/audit.key') }),
 * ] } });
 * ```
 *
 * @packageDocumentation
 */
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
} from './audit/chain.js';
export { correlationIdOf, DEFAULT_CORRELATION_HEADERS, traceIdOf } from './audit/correlation.js';
export { type KeyEvent, keyEventSchema } from './audit/key-event.js';
export type { CounterStoreFaultOptions } from './audit/options.js';
export type { AuditSinkStats } from './audit/pipeline.js';
export type { LossReason } from './audit/queue.js';
export { boundedLabel, combineRecorders } from './audit/recorder.js';
export {
  type AuditRedactor,
  minimalRecord,
  type RedactableField,
  type RedactionMode,
  redactFields,
} from './audit/redact.js';
export {
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
} from './audit/schema.js';
export { type SignalEvent, signalEventSchema } from './audit/signal-event.js';
export { AUDIT_CHANNEL } from './audit/sinks/diagnostics-channel.js';
export { createHashChainSink, type HashChainSinkOptions } from './audit/sinks/hash-chain.js';
export { createJsonLinesSink, type JsonLinesTarget } from './audit/sinks/json-lines.js';
export {
  createPinoSink,
  type PinoChildLike,
  type PinoLike,
  type PinoSinkOptions,
} from './audit/sinks/pino.js';
export type { RotationSettings } from './audit/sinks/rotating-file.js';
export type { EvaluationSpan } from './audit/tracing.js';
export { DETECTOR_DEFAULTS, type DetectorOptions, type DetectorSettings } from './limits/detectors.js';
export type { RateLimitKey, RateLimitRule } from './limits/rate-limit.js';
export type { MemoryCounterStoreOptions, WindowCount } from './limits/store.js';
export { AUDIT_SCHEMA, type AuditListener } from './model/audit.js';
export {
  STORE_FAULT_CHANNEL,
  STORE_FAULT_CODES,
  type StoreFaultCode,
  type StoreFaultReport,
  type StoreKind,
} from './model/store-faults.js';
