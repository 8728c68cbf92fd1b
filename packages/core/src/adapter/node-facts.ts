/**
 * Request facts from a Node request, read the same way by every adapter: headers as received (never
 * the joined `req.headers`, which silently keeps only the first `Authorization`, attack #32), the socket
 * peer (never a framework's `ip`, which may come from `X-Forwarded-For`), and the TLS socket itself.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestFacts, TlsFacts } from '../model/facts.js';

/** Every value per lower-cased name, in received order, as Node's `headersDistinct` builds it. */
function distinctHeaders(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = Object.create(null);
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    const value = rawHeaders[index + 1] as string;
    const values = headers[name];
    if (values) values.push(value);
    else headers[name] = [value];
  }
  return headers;
}

/**
 * TLS facts of a Node socket, or `undefined` when it is not a TLS socket. Read by shape, so an adapter that
 * only meets the socket through its runtime (`@hono/node-server`'s `env.incoming.socket`) can use it too.
 *
 * @example
 * ```ts
 * const tls = tlsFacts(incoming.socket);
 * ```
 */
export function tlsFacts(socket: Partial<TLSSocket> | null | undefined): TlsFacts | undefined {
  if (socket?.encrypted !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  // `getPeerCertificate(false)` is `{}` without a client certificate, `null` once the socket is gone.
  const certificate = socket.getPeerCertificate(false) as { raw?: Buffer } | null;
  const raw = certificate?.raw;
  return {
    authorized: socket.authorized === true,
    peerCertificate: raw ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : undefined,
  };
}

/**
 * Builds the core's {@link RequestFacts} from a Node request. `target` is the original request target,
 * which only the framework still knows once a router has rewritten `req.url` (Express `req.originalUrl`).
 * Requests injected without a socket (light-my-request) carry no `headersDistinct`; their `rawHeaders`
 * give the same result.
 *
 * @example
 * ```ts
 * const facts = toRequestFacts(req, req.originalUrl);
 * const decision = await guard.evaluate(facts, requireScopes('orders:read'));
 * ```
 */
export function toRequestFacts(raw: IncomingMessage, target: string): RequestFacts {
  const distinct = (raw as { headersDistinct?: IncomingMessage['headersDistinct'] }).headersDistinct;
  // One object literal with every field, always in this order: the guard's reads of it stay monomorphic.
  return {
    method: raw.method ?? 'GET',
    target,
    headers: distinct ?? distinctHeaders(raw.rawHeaders ?? []),
    remoteAddress: raw.socket?.remoteAddress,
    tls: tlsFacts(raw.socket as Partial<TLSSocket> | undefined),
    routeId: undefined,
    params: undefined,
  };
}

/**
 * The same facts with the route the framework matched. A literal of the same shape rather than a spread:
 * it runs on every request, and spreads of objects of varying shapes are slow (measured in the benchmarks).
 *
 * @example
 * ```ts
 * const routed = withRoute(facts, '/orders/:id', { id: '42' });
 * ```
 */
export function withRoute(
  facts: RequestFacts,
  routeId: string | undefined,
  params: Readonly<Record<string, string>> | undefined,
): RequestFacts {
  return {
    method: facts.method,
    target: facts.target,
    headers: facts.headers,
    remoteAddress: facts.remoteAddress,
    tls: facts.tls,
    routeId,
    params,
  };
}
