/**
 * Fetching JSON documents (key sets, discovery metadata) from trusted URLs: a timeout, a size cap, no
 * redirects, HTTPS only except on the loopback interface (RFC 8414 §2 / K-3; attack #25).
 */
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher, request } from 'undici';

/** How key material is fetched. */
export interface FetchSettings {
  /** Whole-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Largest accepted response body in bytes. */
  readonly maxBytes: number;
  /** Extra trusted CA certificates (PEM) for HTTPS, e.g. a private PKI; Node's default roots stay trusted. */
  readonly ca?: string | readonly string[] | undefined;
}

/** Fetches a URL and returns its parsed JSON body; throws an `Error` with a short reason on any failure. */
export type JsonFetcher = (url: string) => Promise<unknown>;

const LOOPBACK_HOSTS = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

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
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.test(parsed.hostname)) return undefined;
  return 'expected an https: URL (http: is accepted only on loopback hosts)';
}

/**
 * Drops a response body. undici reports a destroyed body as an `AbortError` event; with no listener that
 * event would be an uncaught exception and take the process down, so one is attached first.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      discard(body);
      throw new Error(`response larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Creates a fetcher bound to the given settings, and a function that releases its connections.
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
  // A `ca` given to TLS replaces the default roots; the option promises *extra* CAs, so both are kept.
  const ca =
    settings.ca === undefined
      ? undefined
      : [...rootCertificates, ...(typeof settings.ca === 'string' ? [settings.ca] : settings.ca)];
  const dispatcher = new Agent({
    connect: ca ? { ca, timeout: settings.timeoutMs } : { timeout: settings.timeoutMs },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  const fetchJson: JsonFetcher = async (url) => {
    const problem = keyUrlProblem(url);
    if (problem) throw new Error(`refused URL: ${problem}`);
    const response = await request(url, {
      dispatcher,
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    if (response.statusCode !== 200) {
      discard(response.body);
      throw new Error(`HTTP status ${response.statusCode}`);
    }
    const declared = Number(response.headers['content-length']);
    if (declared > settings.maxBytes) {
      discard(response.body);
      throw new Error(`response larger than ${settings.maxBytes} bytes`);
    }
    const text = await readCapped(response.body, settings.maxBytes);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error('response is not JSON');
    }
  };
  return { fetchJson, close: () => dispatcher.close() };
}
