/** The Express 5 servers: no authentication, nevertrust, the reference verifier, and the Express peers. */
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { createReferenceVerifier } from '../reference-verifier.js';
import { type AppSettings, BODY, type RunningApp } from './types.js';

/**
 * The reference verifier as Express middleware (also the NestJS-on-Express reference row).
 *
 * @example
 * ```ts
 * app.use(referenceMiddleware(settings));
 * ```
 */
export function referenceMiddleware(settings: AppSettings): RequestHandler {
  const { issuer, audience } = settings.identity;
  const verify = createReferenceVerifier({ issuer, audience, jwks: [settings.jwk] });
  return (req, res, next) => {
    const claims = verify(req.headers.authorization);
    if (!claims) {
      res.status(401).json({ error: 'invalid_token' });
      return;
    }
    (req as { auth?: unknown }).auth = claims;
    next();
  };
}

async function authFor(settings: AppSettings): Promise<RequestHandler | undefined> {
  const { issuer, audience, jwksUri } = settings.identity;
  const alg = settings.alg;
  switch (settings.variant) {
    case 'none':
      return undefined;
    case 'nevertrust': {
      const { nevertrust } = await import('@nevertrust/express');
      return nevertrust({ issuers: [{ issuer, audience, jwksUri }] }) as RequestHandler;
    }
    case 'reference':
      return referenceMiddleware(settings);
    case 'express-oauth2-jwt-bearer': {
      const { auth } = await import('express-oauth2-jwt-bearer');
      return auth({ issuer, audience, jwksUri, tokenSigningAlg: alg }) as RequestHandler;
    }
    case 'express-jwt + jwks-rsa': {
      const { expressjwt } = await import('express-jwt');
      const { expressJwtSecret } = await import('jwks-rsa');
      return expressjwt({
        secret: expressJwtSecret({
          jwksUri,
          cache: true,
          rateLimit: true,
          jwksRequestsPerMinute: 10,
        }) as never,
        audience,
        issuer,
        algorithms: [alg],
      }) as unknown as RequestHandler;
    }
    default:
      throw new Error(`unknown Express variant ${settings.variant}`);
  }
}

/**
 * Starts an Express server on 127.0.0.1 with one route, `GET /orders`.
 *
 * @example
 * ```ts
 * const app = await startExpress(settings);
 * ```
 */
export async function startExpress(settings: AppSettings): Promise<RunningApp> {
  const app = express();
  const auth = await authFor(settings);
  if (auth) app.use(auth);
  app.get('/orders', (_req, res) => {
    res.json(BODY);
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
