/**
 * Emits audit records as OpenTelemetry log records (a no-op until the application registers a
 * LoggerProvider, or passes one). Each decision is linked to its evaluation span, so a backend shows the
 * audit record next to the trace. The logger types are structural: a logger of `@opentelemetry/api` 1.10
 * or of `@opentelemetry/api-logs` (the logs API of older 1.x versions) fits.
 */
import { type AuditRecord, type AuditSink, ConfigError } from '@nevertrust/core';
import type { Attributes, Context } from '@opentelemetry/api';
import * as api from '@opentelemetry/api';
import { expectProvider, INSTRUMENTATION_SCOPE } from './scope.js';

/** The part of an OpenTelemetry log record this sink writes. */
export interface AuditLogRecord {
  readonly eventName: string;
  readonly timestamp: Date;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: string;
  readonly attributes: Attributes;
  readonly context?: Context;
}

/** The part of an OpenTelemetry `Logger` this sink uses. */
export interface LoggerLike {
  emit(record: AuditLogRecord): void;
}

/** The part of an OpenTelemetry `LoggerProvider` this sink uses. */
export interface LoggerProviderLike {
  getLogger(name: string): LoggerLike;
}

/** Options of {@link createOpenTelemetryLogSink}; give at most one. */
export interface OpenTelemetryLogSinkOptions {
  /** The logger to emit through. */
  readonly logger?: LoggerLike;
  /** The provider whose `@nevertrust/opentelemetry` logger to emit through. */
  readonly loggerProvider?: LoggerProviderLike;
}

/** Severity numbers of the OpenTelemetry logs data model (INFO, WARN, ERROR). */
const SEVERITY = { INFO: 9, WARN: 13, ERROR: 17 } as const;
/** W3C trace flags: sampled. */
const SAMPLED = 1;

/** The global logs API of `@opentelemetry/api` ≥ 1.10; earlier 1.x versions have none. */
const globalLogs = (api as { logs?: { getLogger(name: string): LoggerLike } }).logs;

function severityOf(record: AuditRecord): keyof typeof SEVERITY {
  if (record.type === 'gap') return 'ERROR';
  if (record.type !== 'decision' || record.outcome === 'deny') return 'WARN';
  return 'INFO';
}

function attributesOf(record: AuditRecord): Attributes {
  const attributes: Attributes = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    // Attribute values are primitives or arrays of them; a nested object travels as JSON text.
    attributes[`nevertrust.${name}`] = Array.isArray(value)
      ? value.map(String)
      : typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : value;
  }
  return attributes;
}

/** The context linking a decision's log record to its evaluation span, if the record names one. */
function linkedContext(record: AuditRecord): Context | undefined {
  const linked = record.type === 'decision' || record.type === 'detection';
  if (!linked || record.traceId === undefined || record.spanId === undefined) return undefined;
  const { context, trace } = api;
  return trace.setSpanContext(context.active(), {
    traceId: record.traceId,
    spanId: record.spanId,
    traceFlags: SAMPLED,
  });
}

/**
 * Creates a sink emitting each record as a log record: allows at INFO, denials, detections and key
 * records at WARN, gaps at ERROR. Default logger: the global provider's (registered before or after the guard). With
 * `@opentelemetry/api` older than 1.10, which has no logs API, pass `logger` or `loggerProvider`.
 *
 * @example
 * ```ts
 * createGuard({ issuers, audit: { sinks: [createOpenTelemetryLogSink({ loggerProvider })] } });
 * ```
 */
export function createOpenTelemetryLogSink(options: OpenTelemetryLogSinkOptions = {}): AuditSink {
  expectProvider('logger', options.logger, 'emit');
  expectProvider('loggerProvider', options.loggerProvider, 'getLogger');
  const fixed = options.logger ?? options.loggerProvider?.getLogger(INSTRUMENTATION_SCOPE);
  if (fixed === undefined && globalLogs === undefined) {
    throw new ConfigError([
      'loggerProvider: expected a LoggerProvider (this @opentelemetry/api has no global logs API before 1.10)',
    ]);
  }
  return {
    name: 'opentelemetry-logs',
    write(records) {
      // Resolved per batch: the application may register its provider after creating the guard.
      const target = fixed ?? (globalLogs as NonNullable<typeof globalLogs>).getLogger(INSTRUMENTATION_SCOPE);
      for (const record of records) {
        const severity = severityOf(record);
        const context = linkedContext(record);
        target.emit({
          eventName: `nevertrust.audit.${record.type}`,
          timestamp: new Date(record.time),
          severityNumber: SEVERITY[severity],
          severityText: severity,
          body: `nevertrust.audit ${record.type}`,
          attributes: attributesOf(record),
          ...(context ? { context } : {}),
        });
      }
    },
  };
}
