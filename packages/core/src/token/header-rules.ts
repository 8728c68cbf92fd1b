/**
 * The JOSE header rules every signed token nevertrust accepts shares (access tokens, logout tokens,
 * security event tokens): parameters that change how a JWS is processed and that nevertrust does not
 * implement are refused (RFC 7515 §4.1.11 `crit`, RFC 7797 `b64`, JWE `enc`/`zip`; J-12, #12, #13), and a
 * `kid` is a bounded string.
 */
import type { JsonObject } from '../model/strict-json.js';

const UNSUPPORTED_HEADERS = ['crit', 'b64', 'enc', 'zip'];

/** The longest `kid` looked up. */
export const MAX_KID_LENGTH = 256;

/**
 * The first header parameter nevertrust refuses, or `undefined`.
 *
 * @example
 * ```ts
 * unsupportedParameter({ alg: 'ES256', crit: ['exp'] }); // 'crit'
 * ```
 */
export function unsupportedParameter(header: JsonObject): string | undefined {
  for (const name of UNSUPPORTED_HEADERS) if (name in header) return name;
  return undefined;
}
