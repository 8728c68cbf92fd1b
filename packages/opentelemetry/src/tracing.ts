/**
 * A span per evaluation carrying the decision, through `@opentelemetry/api`. Span attributes never include
 * the subject or the token (they would leave the trail's redaction behind); the audit record, linked by
 * trace and span id, holds those.
 */
import type { AuditEvent, EvaluationTracer } from '@nevertrust/core';
import type { EvaluationSpan } from '@nevertrust/core/sinks';
import {
  type Attributes,
  context,
  isSpanContextValid,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { expectProvider, INSTRUMENTATION_SCOPE, openTelemetryGlobals } from './scope.js';

/** Options of {@link createOpenTelemetryTracing}. */
export interface OpenTelemetryTracingOptions {
  /** Default: the global provider, followed even when the application registers it after the guard. */
  readonly tracerProvider?: TracerProvider;
}

/** Attributes describing a decision. */
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

function evaluationSpan(span: Span): EvaluationSpan | undefined {
  const spanContext = span.spanContext();
  const valid = isSpanContextValid(spanContext);
  // The no-op tracer (no SDK registered, no parent span) hands out a span that records nothing and has
  // no ids: making it the active span would only cost a context per request.
  if (!valid && !span.isRecording()) return undefined;
  return {
    ...(valid ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {}),
    run: (work) => context.with(trace.setSpan(context.active(), span), work),
    end(event) {
      if (span.isRecording()) {
        span.setAttributes(decisionAttributes(event));
        if (event.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: event.reason });
      }
      span.end();
    },
  };
}

/**
 * Creates the tracer of `createGuard({ tracing })`: one `nevertrust.evaluate` span per evaluation, with
 * the method, route template and decision as attributes, and its ids in the audit record.
 *
 * @example
 * ```ts
 * createGuard({ issuers, tracing: createOpenTelemetryTracing({ tracerProvider }) });
 * ```
 */
export function createOpenTelemetryTracing(options: OpenTelemetryTracingOptions = {}): EvaluationTracer {
  const provider = options.tracerProvider;
  expectProvider('tracerProvider', provider, 'getTracer');
  let tracer: Tracer | undefined;
  return {
    startEvaluation(facts) {
      if (tracer === undefined) {
        // Nothing registered and no provider given: the API would hand out a no-op span without ids, so
        // skip it. Checked per request, so a provider registered later still counts.
        if (provider === undefined && openTelemetryGlobals() === undefined) return undefined;
        // The global API hands out a proxy tracer that follows a provider registered later.
        tracer = (provider ?? trace).getTracer(INSTRUMENTATION_SCOPE);
      }
      const attributes: Attributes = {};
      if (typeof facts.method === 'string') attributes['http.request.method'] = facts.method;
      if (typeof facts.routeId === 'string') attributes['http.route'] = facts.routeId;
      return evaluationSpan(tracer.startSpan('nevertrust.evaluate', { kind: SpanKind.INTERNAL, attributes }));
    },
  };
}
