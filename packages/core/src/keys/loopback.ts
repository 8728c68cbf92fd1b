/**
 * The one loopback rule: where plain `http:` is accepted (key sets, discovery, resource identifiers),
 * because a loopback connection crosses no network an attacker could sit on (RFC 8414 §2 requires TLS
 * for everything else). `localhost`, the whole 127.0.0.0/8 block and `[::1]`, as a URL's `hostname`.
 */
const LOOPBACK_HOSTS = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Whether a URL's `hostname` names the loopback interface.
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://127.0.0.1:8080/jwks').hostname); // true
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.test(hostname);
}
