/**
 * A real RFC 7662 introspection endpoint for tests, over HTTP on 127.0.0.1 on a free port: it checks the
 * request the way an authorization server must (POST, form-encoded, `client_secret_basic`), answers from a
 * table of tokens, and has switches for the failures an API must survive (down, hanging, 5xx, garbage).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the server answers. */
export type IntrospectionServerMode = 'up' | 'hang' | 'error' | 'garbage' | 'redirect' | 'huge';

/** One request the server received (the token is kept: this is the provider's side). */
export interface IntrospectionRequest {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly token: string | null;
  readonly hint: string | null;
}

/** A running introspection server. */
export interface IntrospectionServer {
  /** The endpoint URL. */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: IntrospectionRequest[];
  /** Answers `answer` (with `active: true` unless it says otherwise) for `token`; unknown tokens are inactive. */
  setToken(token: string, answer: Record<string, unknown>): void;
  /** Forgets a token: it is inactive from now on (revocation at the provider). */
  revoke(token: string): void;
  setMode(mode: IntrospectionServerMode): void;
  /** Delays every answer by `ms`. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/**
 * Starts an introspection server accepting `clientId`/`clientSecret` by HTTP Basic authentication.
 *
 * @example
 * ```ts
 * const server = await startIntrospectionServer({ clientId: 'api', clientSecret: 's3cret' });
 * server.setToken('opaque-1', { exp, aud: 'https://api.test', scope: 'a' });
 * ```
 */
export async function startIntrospectionServer(settings: {
  clientId: string;
  clientSecret: string;
}): Promise<IntrospectionServer> {
  const tokens = new Map<string, Record<string, unknown>>();
  const requests: IntrospectionRequest[] = [];
  let mode: IntrospectionServerMode = 'up';
  let delay = 0;
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  const authenticated = (header: string | undefined) => {
    if (!header?.startsWith('Basic ')) return false;
    const [id, secret, extra] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    if (id === undefined || secret === undefined || extra !== undefined) return false;
    return decode(id) === settings.clientId && decode(secret) === settings.clientSecret;
  };

  const answer = (request: IncomingMessage, response: ServerResponse, body: string) => {
    const form = new URLSearchParams(body);
    requests.push({
      method: request.method ?? '',
      contentType: request.headers['content-type'],
      authorization: request.headers.authorization,
      token: form.get('token'),
      hint: form.get('token_type_hint'),
    });
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (mode === 'hang') return;
    if (mode === 'error') return json(500, { error: 'server_error' });
    if (mode === 'garbage') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('{"active": tru');
    }
    if (mode === 'redirect') {
      response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      return response.end();
    }
    if (mode === 'huge') return json(200, { active: true, padding: 'x'.repeat(200_000) });
    // RFC 7662 §2.1: the endpoint requires client authentication, a POST and a form body.
    if (!authenticated(request.headers.authorization)) return json(401, { error: 'invalid_client' });
    if (
      request.method !== 'POST' ||
      request.headers['content-type'] !== 'application/x-www-form-urlencoded'
    ) {
      return json(400, { error: 'invalid_request' });
    }
    const known = tokens.get(form.get('token') ?? '');
    json(200, known ? { active: true, ...known } : { active: false });
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (delay > 0) setTimeout(() => answer(request, response, body), delay);
      else answer(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/token/introspection`,
    requests,
    setToken: (token, value) => tokens.set(token, value),
    revoke: (token) => tokens.delete(token),
    setMode: (next) => {
      mode = next;
    },
    setDelay: (ms) => {
      delay = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
