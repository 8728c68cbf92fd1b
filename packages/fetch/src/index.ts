/**
 * @nevertrust/fetch — zero-trust access-token verification for any handler built on the web-standard
 * `Request` / `Response` (Hono, Next.js route handlers, Bun.serve, Deno.serve, itty-router, Elysia). It
 * translates; the core decides: facts come from the `Request` (and the client address the runtime gives),
 * refusals leave as the core's RFC 6750 `Response`.
 *
 * @example
 * ```ts
 * const auth = nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] });
 * async function fetch(request: Request): Promise<Response> {
 *   const result = await auth.protect(request, requireScopes('orders:read'));
 *   if (result instanceof Response) return result;
 *   return result.complete(Response.json({ subject: result.principal?.subject }));
 * }
 * ```
 *
 * @packageDocumentation
 */

// Everything an application uses from the core (requirement builders, errors, types), so that
// installing the adapter alone is enough.
export * from '@nevertrust/core';
export type { FetchConnection } from '@nevertrust/core/adapter';
export { FetchExchange } from './exchange.js';
export { type PrincipalHandler, protectedHandler } from './handler.js';
export {
  type Allowed,
  type FetchNevertrust,
  type FetchOptions,
  fetchGate,
  nevertrust,
  type ProtectOptions,
} from './protect.js';
export { denialResponse, wellKnownResponse } from './responses.js';
export { readRequestBody } from './signal-body.js';
export { serveWellKnown } from './well-known.js';
