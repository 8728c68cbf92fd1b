/**
 * A real RFC 7662 introspection endpoint for tests, on 127.0.0.1 on a free port, over HTTP or HTTPS (with
 * client certificates requested, for RFC 8705): it checks the request the way an authorization server
 * must (POST, form-encoded, client authentication — see introspection-server-auth.ts), answers from a
 * table of tokens, signs its answer (RFC 9701) when asked to and given a key, and has switches for the
 * failures an API must survive (down, hanging, 5xx, garbage, forged signed answers).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createClientCheck, type IntrospectionClientAuth } from './introspection-server-auth.js';
import type { TestKey } from './keys.js';
import { signToken } from './tokens.js';

/** How the server answers. */
export type IntrospectionServerMode = 'up' | 'hang' | 'error' | 'garbage' | 'redirect' | 'huge';

/** One request the server received (the token is kept: this is the provider's side). */
export interface IntrospectionRequest {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly authorization: string | undefined;
  /** The client authentication method that succeeded, or why none did. */
  readonly auth: string;
  readonly token: string | null;
  readonly hint: string | null;
  /** Every form parameter. */
  readonly form: Readonly<Record<string, string>>;
}

/** Changes to the next signed answers: header and payload members merged in, another signing key. */
export interface SignedAnswerTweak {
  readonly header?: Record<string, unknown>;
  readonly payload?: Record<string, unknown>;
  readonly key?: TestKey;
}

/** Settings of a test introspection server. */
export interface IntrospectionServerSettings extends IntrospectionClientAuth {
  /** Serve HTTPS with this certificate; client certificates are requested and checked against `clientCa`. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly clientCa?: string };
  /** Its issuer identifier: the default assertion audience, `iss` of signed answers. Default `https://idp.test/`. */
  readonly issuer?: string;
  /** Signs answers (RFC 9701) when the request accepts `application/token-introspection+jwt`. */
  readonly signingKey?: TestKey;
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
  /** Tweaks signed answers from now on (undefined: sign them honestly again). */
  setSignedAnswer(tweak: SignedAnswerTweak | undefined): void;
  close(): Promise<void>;
}

const JWT_TYPE = 'application/token-introspection+jwt';

/**
 * Starts an introspection server for one client.
 *
 * @example
 * ```ts
 * const server = await startIntrospectionServer({ clientId: 'api', clientSecret: 's3cret' });
 * server.setToken('opaque-1', { exp, aud: 'https://api.test', scope: 'a' });
 * ```
 */
export async function startIntrospectionServer(
  settings: IntrospectionServerSettings,
): Promise<IntrospectionServer> {
  const issuer = settings.issuer ?? 'https://idp.test/';
  const tokens = new Map<string, Record<string, unknown>>();
  const requests: IntrospectionRequest[] = [];
  const check = createClientCheck(settings, issuer);
  let mode: IntrospectionServerMode = 'up';
  let delay = 0;
  let tweak: SignedAnswerTweak | undefined;

  const sign = (answer: Record<string, unknown>, signer: TestKey) =>
    signToken(
      {
        header: { alg: signer.alg, kid: signer.kid, typ: 'token-introspection+jwt', ...tweak?.header },
        payload: {
          iss: issuer,
          aud: settings.clientId,
          iat: Math.floor(Date.now() / 1000),
          token_introspection: answer,
          ...tweak?.payload,
        },
      },
      (tweak?.key ?? signer).privateKey,
      signer.alg,
    );

  const answer = async (request: IncomingMessage, response: ServerResponse, body: string) => {
    const form = new URLSearchParams(body);
    const auth = await check(request, form);
    requests.push({
      method: request.method ?? '',
      contentType: request.headers['content-type'],
      accept: request.headers.accept,
      authorization: request.headers.authorization,
      auth: 'method' in auth ? auth.method : `refused: ${auth.refused}`,
      token: form.get('token'),
      hint: form.get('token_type_hint'),
      form: Object.fromEntries(form),
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
    if ('refused' in auth) return json(401, { error: 'invalid_client' });
    if (
      request.method !== 'POST' ||
      request.headers['content-type'] !== 'application/x-www-form-urlencoded'
    ) {
      return json(400, { error: 'invalid_request' });
    }
    const known = tokens.get(form.get('token') ?? '');
    const result = known ? { active: true, ...known } : { active: false };
    // RFC 9701 §4: a signed answer only when the client asks for one (and the server has a key).
    if (settings.signingKey && request.headers.accept?.includes(JWT_TYPE)) {
      response.writeHead(200, { 'content-type': `${JWT_TYPE}; charset=utf-8` });
      return response.end(sign(result, settings.signingKey));
    }
    json(200, result);
  };

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const respond = () => void answer(request, response, body);
      if (delay > 0) setTimeout(respond, delay);
      else respond();
    });
  };
  const { tls } = settings;
  // Client certificates are requested but not required at the handshake: the endpoint decides per
  // method (a self-signed certificate never chains, and `socket.authorized` tells the difference).
  const server = tls
    ? createTlsServer(
        {
          key: tls.key,
          cert: tls.cert,
          requestCert: true,
          rejectUnauthorized: false,
          ...(tls.clientCa ? { ca: tls.clientCa } : {}),
        },
        handler,
      )
    : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/token/introspection`,
    requests,
    setToken: (token, value) => tokens.set(token, value),
    revoke: (token) => tokens.delete(token),
    setMode: (next) => {
      mode = next;
    },
    setDelay: (ms) => {
      delay = ms;
    },
    setSignedAnswer: (next) => {
      tweak = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
