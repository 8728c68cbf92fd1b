/**
 * What every signal of this package shares: the instrumentation scope name, and whether the application
 * registered anything with the OpenTelemetry API yet.
 */
import { ConfigError } from '@nevertrust/core';

/**
 * The instrumentation scope name of this package's tracer, meter and default logger.
 *
 * @example
 * ```ts
 * const spans = exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === INSTRUMENTATION_SCOPE);
 * ```
 */
export const INSTRUMENTATION_SCOPE = '@nevertrust/opentelemetry';

/** Where every copy of `@opentelemetry/api` 1.x keeps what an application registered (SDK providers, context manager). */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/**
 * What the application registered with the OpenTelemetry API so far (`trace`, `metrics`, `context`, …),
 * or `undefined` before any registration. One property read: cheap enough to ask per request, so a
 * provider registered after the guard was created is still followed.
 *
 * @example
 * ```ts
 * if (openTelemetryGlobals()?.metrics !== undefined) createInstruments();
 * ```
 */
export function openTelemetryGlobals(): Readonly<Record<string, unknown>> | undefined {
  return (globalThis as Record<symbol, Record<string, unknown> | undefined>)[OTEL_GLOBAL];
}

/**
 * Fails at start-up, naming the option, when a provider lacks the method this package calls.
 *
 * @example
 * ```ts
 * expectProvider('tracerProvider', options.tracerProvider, 'getTracer');
 * ```
 */
export function expectProvider(option: string, value: unknown, method: string): void {
  if (value === undefined) return;
  const callable =
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[method] === 'function';
  if (!callable) throw new ConfigError([`${option}: expected an object with ${method}()`]);
}
