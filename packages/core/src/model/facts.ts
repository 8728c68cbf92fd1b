/**
 * What an adapter tells the core about one request. Nothing here is pre-interpreted: headers keep every
 * received value, the address is the socket peer, the target is the original request target.
 */

/** TLS facts of the connection, when the request arrived over TLS. */
export interface TlsFacts {
  /** Whether the peer's certificate chain verified against the server's trusted CAs. */
  readonly authorized: boolean;
  /** DER bytes of the client certificate, when the client presented one. */
  readonly peerCertificate?: Uint8Array | undefined;
}

/**
 * One request as the core sees it.
 *
 * @example
 * ```ts
 * const facts: RequestFacts = {
 *   method: req.method, target: req.originalUrl, headers: req.headersDistinct,
 *   remoteAddress: req.socket.remoteAddress,
 * };
 * ```
 */
export interface RequestFacts {
  /** HTTP method as received (case-sensitive, RFC 9110 §9.1). */
  readonly method: string;
  /** Original request target (path and query) before any router rewrite. */
  readonly target: string;
  /** Every received value per lower-cased header name, never joined (Node's `headersDistinct`). */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
  /** The socket peer address, never a forwarded one. */
  readonly remoteAddress?: string | undefined;
  /** Present when the request arrived over TLS. */
  readonly tls?: TlsFacts | undefined;
  /** Low-cardinality route template (`/orders/:id`), when the framework knows it. */
  readonly routeId?: string | undefined;
  /** Route parameters the framework extracted (`{ id: '42' }`), for ownership and other ABAC conditions. */
  readonly params?: Readonly<Record<string, string>> | undefined;
}

/** All values received for a header, or an empty list. `name` must be lower-case. */
export function headerValues(facts: RequestFacts, name: string): readonly string[] {
  return facts.headers[name] ?? [];
}

/** The path part of the request target, without the query (which may carry a token). */
export function targetPath(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}
