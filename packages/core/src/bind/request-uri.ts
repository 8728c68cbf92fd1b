/**
 * The HTTP URI a DPoP proof's `htu` is compared with (RFC 9449 §4.3 check 9, D-9): scheme, host and port
 * from the configured public origin — never from the request's `Host` or `X-Forwarded-*` headers, which
 * the client controls (a forged `Host` turns one endpoint's proof into another's) — and the path of the
 * original request target, without query and fragment. Both sides are normalised the same way: RFC 3986
 * §6.2.2 syntax-based (case of scheme and host, percent-encoding case, unreserved characters decoded,
 * dot-segments removed) and §6.2.3 scheme-based (default port dropped, empty path = `/`).
 */

// RFC 3986 §2.3: unreserved characters are equivalent to their percent-encoding.
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const PERCENT_ENCODED = /%([0-9A-Fa-f]{2})/g;

function normalisePercent(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(PERCENT_ENCODED, (_match, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/**
 * The normalised `origin + path` of an absolute http(s) URI, query and fragment dropped; undefined for
 * anything else (another scheme, user information, an unparsable URI).
 *
 * @example
 * ```ts
 * normaliseHttpUri('https://API.example.com:443/a/./b/%7e?x#y'); // 'https://api.example.com/a/b/~'
 * ```
 */
export function normaliseHttpUri(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  // WHATWG URL already lower-cases scheme and host, drops the default port, removes dot-segments
  // (`%2e` included) and makes an empty path `/`; the percent-encodings are left to normalise here.
  return `${url.origin}${normalisePercent(url.pathname)}`;
}

/**
 * Why a configured public origin is unusable, or undefined: it must be an absolute http(s) URL with
 * nothing after the authority.
 *
 * @example
 * ```ts
 * originProblem('https://api.example.com/v1'); // 'expected an origin (scheme, host and port) without a path'
 * ```
 */
export function originProblem(origin: unknown): string | undefined {
  if (typeof origin !== 'string') return 'expected an origin such as https://api.example.com';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'expected an origin such as https://api.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'expected an http or https origin';
  if (url.username !== '' || url.password !== '') return 'expected an origin without user information';
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || origin.endsWith('?')) {
    return 'expected an origin (scheme, host and port) without a path';
  }
  return undefined;
}

/**
 * The normalised URIs a request may be addressed as, one per configured origin, from the original request
 * target (`/path?query`); empty when the target is not in origin-form (RFC 9112 §3.2.1).
 *
 * @example
 * ```ts
 * requestUris(['https://api.example.com'], '/orders/%7e1?page=2'); // ['https://api.example.com/orders/~1']
 * ```
 */
export function requestUris(origins: readonly string[], target: string): string[] {
  if (!target.startsWith('/')) return [];
  const query = target.search(/[?#]/);
  const path = query === -1 ? target : target.slice(0, query);
  const uris: string[] = [];
  for (const origin of origins) {
    const uri = normaliseHttpUri(`${origin}${path}`);
    if (uri !== undefined) uris.push(uri);
  }
  return uris;
}
