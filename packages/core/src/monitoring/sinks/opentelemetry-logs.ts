/**
 * Emits records as OpenTelemetry log records through the logs API of `@opentelemetry/api` (a no-op until
 * the application registers a LoggerProvider). Each decision is linked to its evaluation span, so a
 * backend shows the audit record next to the trace.
 */
import type { Attributes, Logger, SeverityNumber } from '@opentelemetry/api';
import { openTelemetryApi } from '../opentelemetry.js';
import type { AuditRecord } from '../schema.js';
import type { AuditSink } from '../sink.js';

function severityOf(record: AuditRecord): [SeverityNumber, string] {
  const { SeverityNumber } = openTelemetryApi();
  if (record.type === 'gap') return [SeverityNumber.ERROR, 'ERROR'];
  if (record.type === 'detection' || record.type === 'key-refused' || record.outcome === 'deny')
    return [SeverityNumber.WARN, 'WARN'];
  return [SeverityNumber.INFO, 'INFO'];
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

/**
 * Creates a sink emitting each record through `logger` (default: the global provider's
 * `@nevertrust/core` logger).
 *
 * @example
 * ```ts
 * createGuard({ issuers, audit: { sinks: [createOpenTelemetryLogSink()] } });
 * ```
 */
export function createOpenTelemetryLogSink(logger?: Logger): AuditSink {
  return {
    name: 'opentelemetry-logs',
    write(records) {
      // Resolved per batch: the application may register its provider after creating the guard. The API
      // is loaded only here, when the sink is used (issue 7: importing the core does not load it).
      const { context, logs, TraceFlags, trace } = openTelemetryApi();
      const target = logger ?? logs.getLogger('@nevertrust/core');
      for (const record of records) {
        const [severityNumber, severityText] = severityOf(record);
        const linked =
          (record.type === 'decision' || record.type === 'detection') &&
          record.traceId !== undefined &&
          record.spanId !== undefined
            ? trace.setSpanContext(context.active(), {
                traceId: record.traceId,
                spanId: record.spanId,
                traceFlags: TraceFlags.SAMPLED,
              })
            : undefined;
        target.emit({
          eventName: `nevertrust.audit.${record.type}`,
          timestamp: new Date(record.time),
          severityNumber,
          severityText,
          body: `nevertrust.audit ${record.type}`,
          attributes: attributesOf(record),
          ...(linked ? { context: linked } : {}),
        });
      }
    },
  };
}
