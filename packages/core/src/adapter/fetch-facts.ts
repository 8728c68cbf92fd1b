/**
 * Request facts from a web-standard `Request` (Fetch standard), for runtimes and frameworks that hand an
 * application a `Request` instead of a Node request: Hono, Next.js route handlers, Bun, Deno, workers.
 * Nothing here reads a Node object. Two things differ from a Node request and are handled here:
 *
 * - `Headers` joins repeated lines of one field into one value with `", "`. `Authorization` is no list
 *   field (RFC 9110 §11.6.2), and a Bearer or DPoP token68 never contains a comma, so the joined value is
 *   split again wherever a new credential (`scheme SP …`) starts after a comma: two `Authorization`
 *   lines stay two values and are refused as such (attack #32), while the comma-separated parameters of
 *   another scheme stay one value. A `DPoP` proof (a compact JWS) never contains a comma either.
 * - A `Request` carries no connection: the client address (and TLS facts) come from the caller, from
 *   whatever the runtime offers (`server.requestIP(request)` on Bun, `info.remoteAddr` on Deno).
 */
import type { RequestFacts, TlsFacts } from '../model/facts.js';

/** What the runtime knows about the connection a `Request` came on; nothing when it says nothing. */
export interface FetchConnection {
  /** The peer address of the connection, never a forwarded one. */
  readonly remoteAddress?: string | undefined;
  /** TLS facts of the connection, when the runtime exposes them. */
  readonly tls?: TlsFacts | undefined;
}

/** A comma followed by the start of another credential: `auth-scheme 1*SP` (RFC 9110 §11.4). */
const NEXT_CREDENTIAL = /,[ \t]*(?=[!#$%&'*+.^_`|~0-9A-Za-z-]+ +[^ ,=])/;
/** A comma between values that can never contain one. */
const ANY_COMMA = /,[ \t]*/;

/** The lines a joined value came from, as far as the field's grammar lets them be told apart. */
function unjoin(name: string, value: string): string[] {
  if (!value.includes(',')) return [value];
  if (name === 'authorization') return value.split(NEXT_CREDENTIAL);
  if (name === 'dpop') return value.split(ANY_COMMA);
  return [value];
}

/**
 * The path and query of a serialised absolute URL (what `Request.url` always is), without the fragment: a
 * slice, not a second parse, since the runtime parsed and normalised the URL already.
 *
 * @example
 * ```ts
 * targetOf('https://api.example.com/orders?page=2'); // '/orders?page=2'
 * ```
 */
export function targetOf(url: string): string {
  const authority = url.indexOf('//');
  const path = url.indexOf('/', authority === -1 ? 0 : authority + 2);
  if (path === -1) return '/';
  const fragment = url.indexOf('#', path);
  return fragment === -1 ? url.slice(path) : url.slice(path, fragment);
}

/**
 * Builds the core's {@link RequestFacts} from a `Request`: the method, the target (path and query of
 * `request.url`), every header (see above for repeated lines) and the connection the caller names.
 *
 * @example
 * ```ts
 * const facts = toRequestFactsFromFetch(request, { remoteAddress: server.requestIP(request)?.address });
 * const decision = await guard.evaluate(facts, requireScopes('orders:read'));
 * ```
 */
export function toRequestFactsFromFetch(request: Request, connection: FetchConnection = {}): RequestFacts {
  const headers: Record<string, string[]> = Object.create(null);
  // Names come lower-cased; `set-cookie` is the one field a `Headers` object never joins.
  request.headers.forEach((value, name) => {
    const values = unjoin(name, value);
    const known = headers[name];
    if (known) known.push(...values);
    else headers[name] = values;
  });
  return {
    method: request.method,
    target: targetOf(request.url),
    headers,
    remoteAddress: connection.remoteAddress,
    tls: connection.tls,
    routeId: undefined,
    params: undefined,
  };
}
