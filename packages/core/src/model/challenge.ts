/**
 * Builds `WWW-Authenticate` challenges with the exact RFC 6750 §3 syntax (checklist B-7…B-11).
 */

/** Parameters of one Bearer challenge; each appears at most once, in this order. */
export interface ChallengeParams {
  readonly realm?: string | undefined;
  readonly error?: string | undefined;
  readonly error_description?: string | undefined;
  readonly scope?: string | undefined;
  readonly [extra: string]: string | undefined;
}

const ORDER = ['realm', 'error', 'error_description', 'scope'];

// RFC 6750 §3: error / error_description allow %x20-21 / %x23-5B / %x5D-7E; scope adds nothing more.
// Anything else (quotes, backslashes, CR/LF, non-ASCII) is replaced so that no value can break out of its
// quoted-string or split the response (B-10).
const UNSAFE_CHARACTERS = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

/** Makes a value safe to place inside a challenge quoted-string. */
export function toChallengeValue(value: string): string {
  return value.replace(UNSAFE_CHARACTERS, '?');
}

/**
 * Formats a challenge for `scheme` with the given parameters, skipping absent ones.
 *
 * @example
 * ```ts
 * formatChallenge('Bearer', { realm: 'api', error: 'invalid_token' });
 * // 'Bearer realm="api", error="invalid_token"'
 * ```
 */
export function formatChallenge(scheme: string, params: ChallengeParams): string {
  const names = [
    ...ORDER,
    ...Object.keys(params)
      .filter((name) => !ORDER.includes(name))
      .sort(),
  ];
  const parts: string[] = [];
  for (const name of names) {
    const value = params[name];
    if (value !== undefined) parts.push(`${name}="${toChallengeValue(value)}"`);
  }
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`;
}
