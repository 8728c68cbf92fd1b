/**
 * A real key server for tests: JWKS and discovery metadata over HTTP or HTTPS on 127.0.0.1, on a free port,
 * with switches for the failures key fetching must survive (down, hanging, oversized, not JSON).
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { testTls } from './tls.js';

/** How the server answers. */
export type KeyServerMode = 'up' | 'down' | 'hang' | 'huge' | 'not-json';

/** A running key server. */
export interface KeyServer {
  /** Base URL, e.g. `https://127.0.0.1:43123`; also the default issuer identifier. */
  readonly url: string;
  /** The JWKS URL. */
  readonly jwksUri: string;
  /** PEM of the CA that signed the HTTPS certificate (for `keyFetch.ca`), when HTTPS. */
  readonly ca: string | undefined;
  /** Requests served per path. */
  readonly hits: Map<string, number>;
  /** Replaces the published keys (a JWK list) or the whole document. */
  setKeys(keys: readonly Record<string, unknown>[] | { document: unknown }): void;
  /** Overrides discovery metadata members (e.g. a different `issuer`). */
  setMetadata(overrides: Record<string, unknown>): void;
  setMode(mode: KeyServerMode): void;
  /** Total requests for a path. */
  count(path: string): number;
  close(): Promise<void>;
}

/** Options of {@link startKeyServer}. */
export interface KeyServerOptions {
  readonly keys?: readonly Record<string, unknown>[];
  /** Serve HTTPS with a certificate from {@link testTls} (default true). */
  readonly https?: boolean;
  /** Path of the issuer below the base URL, e.g. `/tenant` (default none). */
  readonly issuerPath?: string;
}

/**
 * Starts a key server on 127.0.0.1 with a free port.
 *
 * @example
 * ```ts
 * const server = await startKeyServer({ keys: [key.jwk] });
 * createGuard({ issuers: [{ issuer: server.url, audience: 'api' }], keyFetch: { ca: server.ca } });
 * ```
 */
export async function startKeyServer(options: KeyServerOptions = {}): Promise<KeyServer> {
  let document: unknown = { keys: options.keys ?? [] };
  let metadataOverrides: Record<string, unknown> = {};
  let mode: KeyServerMode = 'up';
  const hits = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const useHttps = options.https ?? true;
  const issuerPath = options.issuerPath ?? '';
  let base = '';

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (mode === 'down') {
      response.writeHead(503).end('down');
      return;
    }
    if (mode === 'hang') {
      hanging.add(response);
      return;
    }
    if (mode === 'not-json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json</html>');
      return;
    }
    if (mode === 'huge') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"keys":[],"padding":"${'x'.repeat(2 * 1024 * 1024)}"}`);
      return;
    }
    let body: unknown;
    if (path === '/jwks') body = document;
    else if (
      path === `/.well-known/openid-configuration${issuerPath}` ||
      path === `${issuerPath}/.well-known/openid-configuration` ||
      path === `/.well-known/oauth-authorization-server${issuerPath}`
    ) {
      body = { issuer: `${base}${issuerPath}`, jwks_uri: `${base}/jwks`, ...metadataOverrides };
    }
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const tls = useHttps ? await testTls() : undefined;
  const server: Server = tls
    ? createHttpsServer({ key: tls.serverKey, cert: tls.serverCert }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `${useHttps ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url: `${base}${issuerPath}`,
    jwksUri: `${base}/jwks`,
    ca: tls?.ca,
    hits,
    setKeys(keys) {
      document = 'document' in keys ? keys.document : { keys };
    },
    setMetadata(overrides) {
      metadataOverrides = overrides;
    },
    setMode(next) {
      mode = next;
      if (next !== 'hang') {
        for (const response of hanging) response.destroy();
        hanging.clear();
      }
    },
    count(path) {
      return hits.get(path) ?? 0;
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
