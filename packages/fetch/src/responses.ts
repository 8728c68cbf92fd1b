/**
 * The core's answers as web-standard `Response`s: a refusal exactly as the core decided it (RFC 6750
 * status, `WWW-Authenticate`, `Cache-Control: no-store`, the JSON body), and the answers of the RFC 9728
 * metadata document and the signal endpoints.
 */
import type { DenyDecision } from '@nevertrust/core';
import type { WellKnownResponse } from '@nevertrust/core/adapter';

/**
 * A refusal as a `Response`.
 *
 * @example
 * ```ts
 * if (decision.outcome === 'deny') return denialResponse(decision);
 * ```
 */
export function denialResponse(decision: DenyDecision): Response {
  return new Response(JSON.stringify(decision.body), { status: decision.status, headers: decision.headers });
}

/**
 * A metadata or signal endpoint answer as a `Response` (a `HEAD` gets the headers only).
 *
 * @example
 * ```ts
 * return wellKnownResponse(answer, request.method);
 * ```
 */
export function wellKnownResponse(answer: WellKnownResponse, method: string): Response {
  return new Response(method === 'HEAD' ? null : answer.body, {
    status: answer.status,
    headers: answer.headers,
  });
}
