/** The Koa 3 servers: no authentication, nevertrust, the reference verifier, and koa-jwt. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { createReferenceVerifier } from '../reference-verifier.js';
import { type AppSettings, BODY, type RunningApp } from './types.js';

async function authFor(settings: AppSettings): Promise<Middleware | undefined> {
  const { issuer, audience, jwksUri } = settings.identity;
  switch (settings.variant) {
    case 'none':
      return undefined;
    case 'nevertrust': {
      const { nevertrust } = await import('@nevertrust/koa');
      return nevertrust({ issuers: [{ issuer, audience, jwksUri }] }) as Middleware;
    }
    case 'reference': {
      const verify = createReferenceVerifier({ issuer, audience, jwks: [settings.jwk] });
      return async (ctx, next) => {
        const claims = verify(ctx.headers.authorization);
        if (!claims) {
          ctx.status = 401;
          ctx.body = { error: 'invalid_token' };
          return;
        }
        ctx.state.user = claims;
        await next();
      };
    }
    case 'koa-jwt + jwks-rsa': {
      const { default: jwt } = await import('koa-jwt');
      const { koaJwtSecret } = await import('jwks-rsa');
      return jwt({
        secret: koaJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 }) as never,
        audience,
        issuer,
        algorithms: [settings.alg],
      }) as unknown as Middleware;
    }
    default:
      throw new Error(`unknown Koa variant ${settings.variant}`);
  }
}

/**
 * Starts a Koa server on 127.0.0.1 with one route, `GET /orders`.
 *
 * @example
 * ```ts
 * const app = await startKoa(settings);
 * ```
 */
export async function startKoa(settings: AppSettings): Promise<RunningApp> {
  const app = new Koa();
  const router = new Router();
  router.get('/orders', (ctx) => {
    ctx.body = BODY;
  });
  const auth = await authFor(settings);
  if (auth) app.use(auth);
  app.use(router.routes());
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    listening.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
