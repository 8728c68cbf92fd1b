/** The Fastify 5 servers: no authentication, nevertrust, the reference verifier, and @fastify/jwt. */
import { createPublicKey } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createReferenceVerifier } from '../reference-verifier.js';
import { type AppSettings, BODY, type RunningApp } from './types.js';

/**
 * The reference verifier as a Fastify `onRequest` hook (also the NestJS-on-Fastify reference row).
 *
 * @example
 * ```ts
 * app.addHook('onRequest', referenceHook(settings));
 * ```
 */
export function referenceHook(
  settings: AppSettings,
): (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  const { issuer, audience } = settings.identity;
  const verify = createReferenceVerifier({ issuer, audience, jwks: [settings.jwk] });
  return (request, reply, done) => {
    const claims = verify(request.headers.authorization);
    if (!claims) {
      reply.code(401).send({ error: 'invalid_token' });
      return;
    }
    (request as { auth?: unknown }).auth = claims;
    done();
  };
}

async function addAuth(app: FastifyInstance, settings: AppSettings): Promise<void> {
  const { issuer, audience, jwksUri } = settings.identity;
  switch (settings.variant) {
    case 'none':
      return;
    case 'nevertrust': {
      const { nevertrust } = await import('@nevertrust/fastify');
      await app.register(nevertrust as never, { issuers: [{ issuer, audience, jwksUri }] });
      return;
    }
    case 'reference':
      app.addHook('onRequest', referenceHook(settings));
      return;
    case '@fastify/jwt': {
      const { default: fastifyJwt } = await import('@fastify/jwt');
      // @fastify/jwt takes a static key (a JWKS needs the separate get-jwks package): the JWKS key as PEM.
      const pem = createPublicKey({ key: settings.jwk as never, format: 'jwk' })
        .export({ format: 'pem', type: 'spki' })
        .toString();
      await app.register(fastifyJwt, {
        secret: { public: pem },
        verify: { algorithms: [settings.alg], allowedIss: issuer, allowedAud: audience, cache: true },
      } as never);
      app.addHook('onRequest', async (request) => {
        await request.jwtVerify();
      });
      return;
    }
    default:
      throw new Error(`unknown Fastify variant ${settings.variant}`);
  }
}

/**
 * Starts a Fastify server on 127.0.0.1 with one route, `GET /orders`.
 *
 * @example
 * ```ts
 * const app = await startFastify(settings);
 * ```
 */
export async function startFastify(settings: AppSettings): Promise<RunningApp> {
  const app = Fastify({ logger: false });
  await addAuth(app, settings);
  app.get('/orders', async () => BODY);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('Fastify did not listen on a port');
  return { port: address.port, close: () => app.close() };
}
