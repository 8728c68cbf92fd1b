/**
 * Correlation ids tie one request's audit record to the same request in other services' logs. They come
 * from the caller (`traceparent`, `x-request-id`, …) when present and well-formed, else they are generated.
 * A client chooses these values, so only a short, plain character set is accepted: an id can never break a
 * log line or smuggle a token into the trail (attack #43).
 */
import { randomBytes } from 'node:crypto';
import { headerValues, type RequestFacts } from '../model/facts.js';

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

// Generated ids are UUIDv8 (RFC 9562 §5.8, vendor-specific): 74 random bits drawn once per process, then a
// 48-bit counter. Unique across processes and restarts like a random UUID, at a fraction of the cost of
// `randomUUID()`, whose string is built from 20 concatenations (measured: the largest allocation nevertrust
// made per request). Correlation ids are not secrets — callers choose their own — so predictability of
// the counter costs nothing.
let generatedPrefix = '';
let generatedCount = 0;
const COUNTER_LIMIT = 2 ** 48;

function uuidPrefix(): string {
  const hex = randomBytes(10).toString('hex');
  const variant = ((Number.parseInt(hex.charAt(15), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${variant}${hex.slice(16, 19)}-`;
}

/**
 * A new correlation id for a request that brought none: a UUIDv8 (process-wide random prefix, counter).
 *
 * @example
 * ```ts
 * generateCorrelationId(); // '3f2a9c1e-77b0-8d21-a4c9-00000000002a'
 * ```
 */
export function generateCorrelationId(): string {
  if (generatedCount === 0 || generatedCount >= COUNTER_LIMIT) {
    generatedPrefix = uuidPrefix();
    generatedCount = 0;
  }
  generatedCount += 1;
  return generatedPrefix + generatedCount.toString(16).padStart(12, '0');
}

/**
 * The request's correlation id: the first well-formed value among `headers` (a header sent twice is
 * ignored, as its meaning is ambiguous), else a newly generated one ({@link generateCorrelationId}).
 *
 * @example
 * ```ts
 * correlationIdOf(facts); // '4bf92f3577b34da6a3ce929d0e0e4736' or a generated UUID (v8)
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
  return generateCorrelationId();
}
