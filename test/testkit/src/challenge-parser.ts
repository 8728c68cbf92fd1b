/**
 * A strict parser for `WWW-Authenticate` (RFC 9110 §11.6.1 with the RFC 6750 §3 rules): used by tests to
 * prove every emitted challenge is well-formed (B-11), not just that it contains some substring.
 */

/** One parsed challenge. */
export interface ParsedChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Parses a header value holding one or more challenges; throws on any syntax error or repeated parameter.
 *
 * @example
 * ```ts
 * parseChallenges('Bearer realm="api", error="invalid_token"');
 * // [{ scheme: 'Bearer', params: { realm: 'api', error: 'invalid_token' } }]
 * parseChallenges('Bearer, DPoP algs="ES256"'); // two challenges, the first without parameters
 * ```
 */
export function parseChallenges(header: string): ParsedChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let rest = header;
  const fail = (why: string): never => {
    throw new Error(`invalid WWW-Authenticate (${why}): ${header}`);
  };
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0] ?? fail('expected an auth-scheme');
    rest = rest.slice(scheme.length);
    const params: Record<string, string> = Object.create(null);
    challenges.push({ scheme, params });
    if (rest.length === 0) break;
    // A challenge without parameters, followed by the next one (`Bearer, DPoP algs="ES256"`).
    if (rest.startsWith(', ')) {
      rest = rest.slice(2);
      continue;
    }
    if (!rest.startsWith(' ')) fail('expected a space after the scheme');
    rest = rest.replace(/^ +/, '');
    for (;;) {
      const name = TOKEN.exec(rest)?.[0] ?? fail('expected a parameter name');
      const after = rest.slice(name.length);
      if (!after.startsWith('=')) {
        // Not a parameter: the start of the next challenge.
        break;
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be refused.
      const quoted = /^="((?:[^"\\\x00-\x1f\x7f]|\\[\x20-\x7e])*)"/.exec(after);
      if (!quoted) fail(`parameter ${name} is not a quoted-string`);
      const lower = name.toLowerCase();
      if (lower in params) fail(`parameter ${name} repeated`);
      params[lower] = (quoted as RegExpExecArray)[1]?.replace(/\\(.)/g, '$1') ?? '';
      rest = after.slice((quoted as RegExpExecArray)[0].length);
      if (rest.length === 0) break;
      if (!rest.startsWith(', ')) fail('expected ", " between parameters');
      rest = rest.slice(2);
    }
  }
  for (const { params } of challenges) {
    for (const name of ['error', 'error_description', 'scope']) {
      const value = params[name];
      if (value !== undefined && !/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(value))
        fail(`${name} has forbidden characters`);
    }
  }
  return challenges;
}
