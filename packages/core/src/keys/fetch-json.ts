/**
 * Fetching JSON documents (key sets, discovery metadata) from trusted URLs: a timeout, a size cap, no
 * redirects, HTTPS only except on the loopback interface (RFC 8414 §2 / K-3; attack #25).
 */

import { readBounded, settleOnce } from './bounded-request.js';
import { KeyFetchError, type KeyFetchFailureCode } from './key-fetch-error.js';
import { isLoopbackHost } from './loopback.js';
import { createOutboundAgents } from './outbound-agents.js';

/** How key material is fetched. */
export interface FetchSettings {
  /** Whole-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Largest accepted response body in bytes. */
  readonly maxBytes: number;
  /** Extra trusted CA certificates (PEM) for HTTPS, e.g. a private PKI; Node's default roots stay trusted. */
  readonly ca?: string | readonly string[] | undefined;
}

/** Fetches a URL and returns its parsed JSON body; throws a {@link KeyFetchError} on any failure. */
export type JsonFetcher = (url: string) => Promise<unknown>;

/**
 * Why `url` may not be used to fetch key material, or undefined when it may: it must be an absolute
 * `https:` URL, or `http:` on a loopback host (where no network is crossed), without credentials.
 *
 * @example
 * ```ts
 * keyUrlProblem('http://idp.example.com/jwks'); // 'expected an https: URL (http: is accepted only on loopback hosts)'
 * keyUrlProblem('https://idp.example.com/jwks'); // undefined
 * ```
 */
export function keyUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'expected an absolute URL';
  }
  if (parsed.username || parsed.password) return 'expected a URL without credentials';
  if (parsed.hash) return 'expected a URL without a fragment';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return undefined;
  return 'expected an https: URL (http: is accepted only on loopback hosts)';
}

/**
 * Creates a fetcher bound to the given settings, and a function that releases its connections.
 * Built on `node:http(s)` rather than a client library: key fetching is one GET now and then, and the
 * resident memory of an HTTP client package would count against every API process (the benchmarks' RSS target).
 *
 * @example
 * ```ts
 * const { fetchJson, close } = createJsonFetcher({ timeoutMs: 5000, maxBytes: 512 * 1024 });
 * const jwks = await fetchJson('https://idp.example.com/jwks');
 * ```
 */
export function createJsonFetcher(settings: FetchSettings): {
  fetchJson: JsonFetcher;
  close: () => Promise<void>;
} {
  const agents = createOutboundAgents({ ca: settings.ca, maxSockets: 4 });
  const { timeoutMs, maxBytes } = settings;

  const fetchJson: JsonFetcher = (url) =>
    new Promise<unknown>((resolve, reject) => {
      const fail = (code: KeyFetchFailureCode, reason: string) => new KeyFetchError(code, reason, url);
      const problem = keyUrlProblem(url);
      if (problem) {
        reject(fail('refused-url', `refused URL: ${problem}`));
        return;
      }
      // Redirects are never followed: a key URL that moves must be reconfigured, not chased (SSRF).
      const request = agents.request(new URL(url), {
        method: 'GET',
        headers: { accept: 'application/json' },
      });
      const errors = {
        timeout: () => fail('timeout', `no complete response within ${timeoutMs} ms`),
        network: (message: string) => fail('network', message),
      };
      const finish = settleOnce<unknown>(request, timeoutMs, errors, resolve, reject);
      request.on('response', (response) => {
        response.on('error', (error) => finish(errors.network(`response failed: ${error.message}`)));
        if (response.statusCode !== 200) {
          response.resume();
          finish(fail('http-status', `HTTP status ${response.statusCode}`));
          return;
        }
        readBounded(
          response,
          maxBytes,
          () => finish(fail('too-large', `response larger than ${maxBytes} bytes`)),
          (body) => {
            let document: unknown;
            try {
              document = JSON.parse(body.toString('utf8'));
            } catch {
              finish(fail('not-json', 'response is not JSON'));
              return;
            }
            finish(undefined, document);
          },
        );
      });
      request.end();
    });

  return {
    fetchJson,
    close: async () => agents.destroy(),
  };
}
