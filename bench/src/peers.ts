/**
 * The verification libraries inside the peer middleware, loaded from the peers' own dependency trees so that
 * the micro benchmark measures exactly the versions the HTTP cases run.
 */
import { createRequire } from 'node:module';

const here = createRequire(import.meta.url);

function requireFrom<T>(peer: string, name: string): T {
  return createRequire(here.resolve(peer))(name) as T;
}

/** fast-jwt, as used by `@fastify/jwt`. */
export interface FastJwt {
  createVerifier(options: Record<string, unknown>): (token: string) => Record<string, unknown>;
}

/** jsonwebtoken, as used by `express-jwt` and `koa-jwt`. */
export interface JsonWebToken {
  verify(token: string, key: string, options: Record<string, unknown>): Record<string, unknown> | string;
}

/**
 * fast-jwt from `@fastify/jwt`'s dependencies.
 *
 * @example
 * ```ts
 * const verify = loadFastJwt().createVerifier({ key: pem, algorithms: ['RS256'] });
 * ```
 */
export function loadFastJwt(): FastJwt {
  return requireFrom<FastJwt>('@fastify/jwt', 'fast-jwt');
}

/**
 * jsonwebtoken from `express-jwt`'s dependencies.
 *
 * @example
 * ```ts
 * loadJsonWebToken().verify(token, pem, { algorithms: ['RS256'] });
 * ```
 */
export function loadJsonWebToken(): JsonWebToken {
  return requireFrom<JsonWebToken>('express-jwt', 'jsonwebtoken');
}

/**
 * Installed version of a package the bench depends on, directly or through a peer.
 *
 * @example
 * ```ts
 * versionOf('fast-jwt', '@fastify/jwt'); // '6.3.6'
 * ```
 */
export function versionOf(name: string, via?: string): string {
  try {
    const require = via ? createRequire(here.resolve(via)) : here;
    const main = require.resolve(name);
    const root = main.slice(0, main.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}/`.length);
    return (require(`${root}package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
