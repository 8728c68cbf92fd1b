/**
 * One RFC 7662 §2.1 request: `POST` of `token` and `token_type_hint=access_token`, form-encoded, with
 * `client_secret_basic` authentication (I-1, I-2). Bounded like key fetching: a whole-request timeout, a
 * size cap, redirects never followed (a 3xx is a failure, never chased: SSRF), HTTPS only except on
 * loopback, the server's certificate verified by Node's TLS (I-6). Only `application/json` is accepted.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readBounded, settleOnce } from '../keys/bounded-request.js';
import { keyUrlProblem } from '../keys/fetch-json.js';
import { type JsonObject, parseStrictJsonObject } from '../model/strict-json.js';

/** Why an introspection call failed: the provider, not the token (answered with 503, never allow). */
export class IntrospectionCallError extends Error {
  override readonly name = 'IntrospectionCallError';
  /** A stable reason: `timeout`, `network`, `http-status`, `too-large`, `not-json`, `refused-url`. */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Where and as whom to introspect. */
export interface IntrospectionCallSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** Posts a token to an introspection endpoint and returns its JSON object, strictly parsed. */
export type IntrospectionCall = (endpoint: string, token: string) => Promise<JsonObject>;

// RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined and base64-encoded.
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * Creates the introspection call of one issuer, and a function releasing its connections.
 *
 * @example
 * ```ts
 * const { call } = createIntrospectionCall({ clientId: 'api', clientSecret: 's', timeoutMs: 2000, maxBytes: 65536 });
 * const answer = await call('https://idp.example.com/token/introspection', token);
 * ```
 */
export function createIntrospectionCall(settings: IntrospectionCallSettings): {
  call: IntrospectionCall;
  close: () => void;
} {
  const { timeoutMs, maxBytes } = settings;
  const credentials = Buffer.from(
    `${formEncode(settings.clientId)}:${formEncode(settings.clientSecret)}`,
  ).toString('base64');
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  const call: IntrospectionCall = (endpoint, token) =>
    new Promise<JsonObject>((resolve, reject) => {
      const fail = (reason: string, message: string) => new IntrospectionCallError(reason, message);
      const problem = keyUrlProblem(endpoint);
      if (problem) return reject(fail('refused-url', `refused introspection endpoint: ${problem}`));
      const target = new URL(endpoint);
      const secure = target.protocol === 'https:';
      const body = new URLSearchParams({ token, token_type_hint: 'access_token' }).toString();
      const request = (secure ? httpsRequest : httpRequest)(target, {
        method: 'POST',
        agent: secure ? httpsAgent : httpAgent,
        headers: {
          accept: 'application/json',
          authorization: `Basic ${credentials}`,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      });
      const errors = {
        timeout: () => fail('timeout', `no complete response within ${timeoutMs} ms`),
        network: (message: string) => fail('network', message),
      };
      const finish = settleOnce<JsonObject>(request, timeoutMs, errors, resolve, reject);
      request.on('response', (response) => {
        response.on('error', (error) => finish(errors.network(`response failed: ${error.message}`)));
        const type = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (response.statusCode !== 200 || type !== 'application/json') {
          response.resume();
          const what = response.statusCode !== 200 ? `HTTP status ${response.statusCode}` : 'not JSON';
          return finish(fail(response.statusCode !== 200 ? 'http-status' : 'not-json', what));
        }
        readBounded(
          response,
          maxBytes,
          () => finish(fail('too-large', `response larger than ${maxBytes} bytes`)),
          (text) => {
            // Duplicate or `__proto__` members are refused: the answer becomes the principal's claims.
            const parsed = parseStrictJsonObject(text.toString('utf8'));
            if (parsed.ok) finish(undefined, parsed.value);
            else finish(fail('not-json', `response refused: ${parsed.reason}`));
          },
        );
      });
      request.end(body);
    });
  return {
    call,
    close: () => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}
