/**
 * One RFC 7662 §2.1 request: `POST` of `token` and `token_type_hint=access_token`, form-encoded, with the
 * issuer's client authentication (I-1, I-2). Bounded like key fetching, on the same connection code: a
 * whole-request timeout, a size cap, redirects never followed (a 3xx is a failure, never chased: SSRF),
 * HTTPS only except on loopback, the server's certificate verified by Node's TLS with `keyFetch.ca` as
 * extra roots (I-6), the client certificate presented for mTLS client authentication (RFC 8705 §2).
 * Accepted answers: `application/json`, and — when asked for — `application/token-introspection+jwt`
 * (RFC 9701), whose verification is the caller's.
 */
import { readBounded, settleOnce } from '../keys/bounded-request.js';
import { keyUrlProblem } from '../keys/fetch-json.js';
import { createOutboundAgents } from '../keys/outbound-agents.js';
import { type JsonObject, parseStrictJsonObject } from '../model/strict-json.js';
import { authenticate, type ClientAuth } from './introspection-auth.js';

/** Why an introspection call failed: the provider, not the token (answered with 503, never allow). */
export class IntrospectionCallError extends Error {
  override readonly name = 'IntrospectionCallError';
  /**
   * A stable reason: `timeout`, `network`, `http-status`, `too-large`, `not-json`, `not-jwt`,
   * `unverifiable-jwt`, `refused-url`.
   */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Where and as whom to introspect. */
export interface IntrospectionCallSettings {
  /** The issuer identifier: the default audience of client assertions. */
  readonly issuer: string;
  readonly clientId: string;
  readonly auth: ClientAuth;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Extra trusted CA certificates (PEM), as for key fetching. */
  readonly ca?: string | readonly string[] | undefined;
  /** Milliseconds since the epoch, for client assertions. */
  readonly clock: () => number;
}

/** An answer: a strictly parsed JSON object, or a signed answer still to be verified. */
export type IntrospectionBody = { readonly json: JsonObject } | { readonly jwt: string };

/** Which answers a call asks for: `json` only, `jwt` only, or either (`jwt` preferred). */
export type AnswerFormat = 'json' | 'jwt' | 'either';

/** Posts a token to an introspection endpoint and returns its answer. */
export type IntrospectionCall = (
  endpoint: string,
  token: string,
  format: AnswerFormat,
) => Promise<IntrospectionBody>;

const JWT_TYPE = 'application/token-introspection+jwt';
const ACCEPT: Readonly<Record<AnswerFormat, string>> = {
  json: 'application/json',
  jwt: JWT_TYPE,
  either: `${JWT_TYPE}, application/json;q=0.5`,
};

/**
 * Creates the introspection call of one issuer, and a function releasing its connections.
 *
 * @example
 * ```ts
 * const { call } = createIntrospectionCall({ issuer, clientId: 'api', auth, timeoutMs: 2000, maxBytes: 65536, clock: Date.now });
 * const answer = await call('https://idp.example.com/token/introspection', token, 'json');
 * ```
 */
export function createIntrospectionCall(settings: IntrospectionCallSettings): {
  call: IntrospectionCall;
  close: () => void;
} {
  const { timeoutMs, maxBytes, auth } = settings;
  const agents = createOutboundAgents({
    ca: settings.ca,
    ...(auth.method === 'tls_client_auth' || auth.method === 'self_signed_tls_client_auth'
      ? { cert: auth.cert, key: auth.key }
      : {}),
    maxSockets: 16,
  });
  const call: IntrospectionCall = (endpoint, token, format) =>
    new Promise<IntrospectionBody>((resolve, reject) => {
      const fail = (reason: string, message: string) => new IntrospectionCallError(reason, message);
      const problem = keyUrlProblem(endpoint);
      if (problem) return reject(fail('refused-url', `refused introspection endpoint: ${problem}`));
      const credentials = authenticate(auth, settings.clientId, settings.issuer, settings.clock() / 1000);
      const body = new URLSearchParams({
        token,
        token_type_hint: 'access_token',
        ...credentials.params,
      }).toString();
      const request = agents.request(new URL(endpoint), {
        method: 'POST',
        headers: {
          accept: ACCEPT[format],
          ...credentials.headers,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      });
      const errors = {
        timeout: () => fail('timeout', `no complete response within ${timeoutMs} ms`),
        network: (message: string) => fail('network', message),
      };
      const finish = settleOnce<IntrospectionBody>(request, timeoutMs, errors, resolve, reject);
      request.on('response', (response) => {
        response.on('error', (error) => finish(errors.network(`response failed: ${error.message}`)));
        const type = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        const signed = type === JWT_TYPE && format !== 'json';
        const plain = type === 'application/json' && format !== 'jwt';
        if (response.statusCode !== 200) {
          response.resume();
          return finish(fail('http-status', `HTTP status ${response.statusCode}`));
        }
        if (!signed && !plain) {
          response.resume();
          const reason = format === 'jwt' ? 'not-jwt' : 'not-json';
          return finish(fail(reason, `unexpected content type ${JSON.stringify(type?.slice(0, 80))}`));
        }
        readBounded(
          response,
          maxBytes,
          () => finish(fail('too-large', `response larger than ${maxBytes} bytes`)),
          (text) => {
            if (signed) return finish(undefined, { jwt: text.toString('utf8').trim() });
            // Duplicate or `__proto__` members are refused: the answer becomes the principal's claims.
            const parsed = parseStrictJsonObject(text.toString('utf8'));
            if (parsed.ok) finish(undefined, { json: parsed.value });
            else finish(fail('not-json', `response refused: ${parsed.reason}`));
          },
        );
      });
      request.end(body);
    });
  return { call, close: () => agents.destroy() };
}
