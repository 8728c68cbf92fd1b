/**
 * Correlation ids tie one request's audit record to the same request in other services' logs. They come
 * from the caller (`traceparent`, `x-request-id`, …) when present and well-formed, else they are generated.
 * A client chooses these values, so only a short, plain character set is accepted: an id can never break a
 * log line or smuggle a token into the trail (attack #43).
 */
import { randomUUID } from 'node:crypto';
import { headerValues, type RequestFacts } from '../facts.js';

/**
 * Headers read for a correlation id, in order of preference.
 *
 * @example
 * ```ts
 * createGuard({ issuers, audit: { correlationHeaders: ['x-amzn-trace-id', ...DEFAULT_CORRELATION_HEADERS] } });
 * ```
 */
export const DEFAULT_CORRELATION_HEADERS: readonly string[] = [
  'traceparent',
  'x-request-id',
  'x-correlation-id',
];

// W3C Trace Context §3.2: version "00"-trace-id-parent-id-flags; an all-zero trace id is invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * The trace id of a W3C `traceparent` value, or `undefined` when the value is not well-formed.
 *
 * @example
 * ```ts
 * traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'); // '4bf92f3577b34da6a3ce929d0e0e4736'
 * ```
 */
export function traceIdOf(traceparent: string): string | undefined {
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2] ?? '') || /^0+$/.test(match[3] ?? '')) {
    return undefined;
  }
  return match[2];
}

/**
 * The request's correlation id: the first well-formed value among `headers` (a header sent twice is
 * ignored, as its meaning is ambiguous), else a fresh random UUID.
 *
 * @example
 * ```ts
 * correlationIdOf(facts); // '4bf92f3577b34da6a3ce929d0e0e4736' or a generated UUID
 * ```
 */
export function correlationIdOf(
  facts: RequestFacts,
  headers: readonly string[] = DEFAULT_CORRELATION_HEADERS,
): string {
  for (const name of headers) {
    const values = headerValues(facts, name);
    if (values.length !== 1) continue;
    const value = values[0] ?? '';
    const id = name === 'traceparent' ? traceIdOf(value) : REQUEST_ID.test(value) ? value : undefined;
    if (id !== undefined) return id;
  }
  return randomUUID();
}
