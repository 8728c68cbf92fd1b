/**
 * Why fetching an issuer's keys failed, as a stable code an operator can alert on and the URL that was
 * being fetched. The message stays short and never holds a response body (a key endpoint may echo
 * anything).
 */

/** A stable reason for a failed key-set or discovery fetch. */
export type KeyFetchFailureCode =
  /** The URL is not acceptable for key material (K-3): not https, credentials, fragment. */
  | 'refused-url'
  /** No complete response within `keyFetch.timeoutMs`. */
  | 'timeout'
  /** Connection, TLS or stream failure. */
  | 'network'
  /** A status other than 200 (redirects included: they are never followed). */
  | 'http-status'
  /** The body exceeded `keyFetch.maxBytes`. */
  | 'too-large'
  /** The body is not JSON. */
  | 'not-json'
  /** The discovery document is unusable: not an object, another issuer (K-2), no or a refused `jwks_uri`. */
  | 'discovery'
  /** The JWK set is unusable: no `keys` array, too many keys, or no usable verification key. */
  | 'invalid-key-set'
  /** Anything else. */
  | 'unknown';

/**
 * A failed fetch of key material.
 *
 * @example
 * ```ts
 * throw new KeyFetchError('timeout', 'no complete response within 5000 ms', 'https://idp.example.com/jwks');
 * ```
 */
export class KeyFetchError extends Error {
  override readonly name = 'KeyFetchError';
  readonly code: KeyFetchFailureCode;
  readonly url: string | undefined;

  constructor(code: KeyFetchFailureCode, message: string, url?: string) {
    super(message);
    this.code = code;
    this.url = url;
  }
}

/** A failed fetch of an issuer's keys, as health checks and metrics see it. */
export interface KeyFetchFailure {
  /** When the attempt started, in milliseconds since the epoch on the guard's clock. */
  readonly at: number;
  readonly code: KeyFetchFailureCode;
  /** A short reason; never a response body. */
  readonly message: string;
  /** The URL being fetched (key set or discovery document), when known. */
  readonly url?: string;
}

/**
 * Describes any error thrown while fetching keys; `fallback` names the stage when the error carries no
 * code of its own.
 *
 * @example
 * ```ts
 * describeKeyFetchFailure(error, 'invalid-key-set', jwksUri, startedAt); // { at, code, message, url }
 * ```
 */
export function describeKeyFetchFailure(
  error: unknown,
  fallback: KeyFetchFailureCode,
  url: string | undefined,
  at: number,
): KeyFetchFailure {
  const known = error instanceof KeyFetchError;
  const where = (known ? error.url : undefined) ?? url;
  return {
    at,
    code: known ? error.code : fallback,
    message: error instanceof Error ? error.message : 'key fetch failed',
    ...(where === undefined ? {} : { url: where }),
  };
}
