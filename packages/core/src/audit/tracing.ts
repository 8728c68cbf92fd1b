/**
 * The tracing hook of the guard: a plugin (such as `@nevertrust/opentelemetry`) starts one span per
 * evaluation, and the audit record carries its trace and span ids so a backend can show the two side by
 * side. The core holds no tracing library of its own: without a plugin an evaluation costs no span, no
 * context and no allocation beyond the trail's correlation id.
 */
import type { AuditEvent } from '../model/audit.js';
import type { RequestFacts } from '../model/facts.js';

/** The span of one evaluation, and the ids the audit record links to. */
export interface EvaluationSpan {
  /** Trace id of the span (lower-case hex), when the tracing library assigned one. */
  readonly traceId?: string;
  /** Span id of the span (lower-case hex), when the tracing library assigned one. */
  readonly spanId?: string;
  /** Runs `work` with this span active, so spans started inside (key fetches) become its children. */
  run<T>(work: () => T): T;
  /** Records the decision on the span and ends it. */
  end(event: AuditEvent): void;
}

/**
 * Starts the span of each evaluation: `createGuard({ tracing })`. A throwing tracer is contained (the
 * request is evaluated without a span): tracing must never change a decision.
 *
 * @example
 * ```ts
 * import { createOpenTelemetryTracing } from '@nevertrust/opentelemetry';
 * createGuard({ issuers, tracing: createOpenTelemetryTracing() });
 * ```
 */
export interface EvaluationTracer {
  /** The span of this evaluation, or `undefined` when nothing would be recorded (no cost per request). */
  startEvaluation(facts: RequestFacts): EvaluationSpan | undefined;
}

/**
 * The span of an evaluation that is not traced.
 *
 * @example
 * ```ts
 * const span = tracer?.startEvaluation(facts) ?? NO_SPAN;
 * ```
 */
export const NO_SPAN: EvaluationSpan = { run: (work) => work(), end: () => {} };
