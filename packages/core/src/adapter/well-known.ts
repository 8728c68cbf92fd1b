/**
 * The RFC 9728 protected resource metadata document, served by every adapter at the path the guard
 * computed, before any authentication: clients read it to learn which authorization server to ask for a
 * token (so it must be reachable without one). One implementation for the three adapters.
 */
import type { Guard } from '../pipeline/guard.js';

/** What an adapter writes for a metadata request. */
export interface WellKnownResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The metadata response when the guard publishes metadata (`resourceMetadata`) and the request is a
 * `GET`/`HEAD` of its path; otherwise `undefined` and the request goes on as usual.
 *
 * @example
 * ```ts
 * const metadata = resourceMetadataResponse(guard, req.method, req.originalUrl);
 * if (metadata) return res.status(metadata.status).set(metadata.headers).send(metadata.body);
 * ```
 */
export function resourceMetadataResponse(
  guard: Guard,
  method: string | undefined,
  target: string,
): WellKnownResponse | undefined {
  const endpoint = guard.resourceMetadata;
  // The same test the guard uses to treat the document as public (one implementation).
  return endpoint && method !== undefined && endpoint.serves(method, target) ? endpoint.response : undefined;
}
