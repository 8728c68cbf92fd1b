/**
 * The Hono servers (on Node through @hono/node-server): no authentication, nevertrust, the reference
 * verifier, and Hono's own `jwk` middleware (`hono/jwk`) configured the usual way, with the key set URL.
 * `hono/jwk` accepts only `typ: JWT` unless told otherwise, so it is told `at+jwt` (RFC 9068) — without
 * that it refuses every token of the run — and it fetches the key set on every request: it has no cache.
 */
import { type ServerType, serve } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { createReferenceVerifier } from '../reference-verifier.js';
import { type AppSettings, BODY, type RunningApp } from './types.js';

async function authFor(settings: AppSettings): Promise<MiddlewareHandler | undefined> {
  const { issuer, audience, jwksUri } = settings.identity;
  switch (settings.variant) {
    case 'none':
      return undefined;
    case 'nevertrust': {
      const { nevertrust } = await import('@nevertrust/hono');
      return nevertrust({ issuers: [{ issuer, audience, jwksUri }] }) as unknown as MiddlewareHandler;
    }
    case 'reference': {
      const verify = createReferenceVerifier({ issuer, audience, jwks: [settings.jwk] });
      return async (c, next) => {
        if (!verify(c.req.header('authorization'))) return c.json({ error: 'invalid_token' }, 401);
        await next();
      };
    }
    case 'hono/jwk': {
      const { jwk } = await import('hono/jwk');
      return jwk({
        jwks_uri: jwksUri,
        alg: [settings.alg],
        verification: { iss: issuer, aud: audience, typ: 'at+jwt' },
      });
    }
    default:
      throw new Error(`unknown Hono variant ${settings.variant}`);
  }
}

/**
 * Starts a Hono server on 127.0.0.1 with one route, `GET /orders`.
 *
 * @example
 * ```ts
 * const app = await startHono(settings);
 * ```
 */
export async function startHono(settings: AppSettings): Promise<RunningApp> {
  const app = new Hono();
  const auth = await authFor(settings);
  if (auth) app.use(auth);
  app.get('/orders', (c) => c.json(BODY));
  const server = await new Promise<ServerType>((resolve) => {
    const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening));
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
