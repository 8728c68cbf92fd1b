/**
 * The NestJS servers, on the Express and the Fastify platform: no authentication, nevertrust
 * (`NevertrustModule`), the reference verifier in the platform where the module puts its adapter, and the
 * usual Nest set-up — `@nestjs/passport` with `passport-jwt` and `jwks-rsa`
 * behind a global `AuthGuard('jwt')`. Decorators are applied as plain calls, so the benchmark compiles
 * without Nest's legacy decorator settings.
 */
import 'reflect-metadata';
import {
  Controller,
  type DynamicModule,
  Get,
  Injectable,
  Module,
  type Provider,
  type Type,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { type AppSettings, BODY, type RunningApp } from './types.js';

class OrdersController {
  list() {
    return BODY;
  }
}
Controller('orders')(OrdersController);
Get()(
  OrdersController.prototype,
  'list',
  Object.getOwnPropertyDescriptor(OrdersController.prototype, 'list') as PropertyDescriptor,
);

/** The modules and providers one variant adds to the application. */
async function auth(settings: AppSettings): Promise<{ imports: DynamicModule[]; providers: Provider[] }> {
  const { issuer, audience, jwksUri } = settings.identity;
  switch (settings.variant) {
    case 'none':
    // The reference is no Nest module: it goes into the platform (`addReference`).
    case 'reference':
      return { imports: [], providers: [] };
    case 'nevertrust': {
      const { NevertrustModule } = await import('@nevertrust/nestjs');
      return {
        imports: [NevertrustModule.forRoot({ issuers: [{ issuer, audience, jwksUri }] })],
        providers: [],
      };
    }
    case '@nestjs/passport + passport-jwt + jwks-rsa': {
      const { AuthGuard, PassportModule, PassportStrategy } = await import('@nestjs/passport');
      const { ExtractJwt, Strategy } = await import('passport-jwt');
      const { passportJwtSecret } = await import('jwks-rsa');
      class JwtStrategy extends PassportStrategy(Strategy) {
        constructor() {
          super({
            jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
            secretOrKeyProvider: passportJwtSecret({ jwksUri, cache: true, rateLimit: true }),
            issuer,
            audience,
            algorithms: [settings.alg],
          });
        }
        validate(payload: unknown) {
          return payload;
        }
      }
      Injectable()(JwtStrategy);
      return {
        imports: [PassportModule as unknown as DynamicModule],
        providers: [JwtStrategy, { provide: APP_GUARD, useClass: AuthGuard('jwt') as Type }],
      };
    }
    default:
      throw new Error(`unknown Nest variant ${settings.variant}`);
  }
}

/**
 * The reference verifier where `NevertrustModule` puts its platform adapter, so that both rows pay for the
 * same position: first in the Express application (before Nest's body parsers and routes), or as the hook
 * the Nest Fastify adapter runs first on every request. Loaded only for this variant, so the other rows'
 * processes never load the other platform.
 */
async function addReference(adapter: ExpressAdapter | FastifyAdapter, settings: AppSettings): Promise<void> {
  if (adapter instanceof FastifyAdapter) {
    const { referenceHook } = await import('./fastify.js');
    adapter.setOnRequestHook(referenceHook(settings) as never);
  } else {
    const { referenceMiddleware } = await import('./express.js');
    (adapter.getInstance() as { use(handler: unknown): void }).use(referenceMiddleware(settings));
  }
}

/**
 * Starts a Nest server on 127.0.0.1 with one route, `GET /orders`, on the platform the framework names.
 *
 * @example
 * ```ts
 * const app = await startNest({ ...settings, framework: 'nest-fastify' });
 * ```
 */
export async function startNest(settings: AppSettings): Promise<RunningApp> {
  const { imports, providers } = await auth(settings);
  class BenchModule {}
  Module({ imports, providers, controllers: [OrdersController] })(BenchModule);
  const adapter = settings.framework === 'nest-fastify' ? new FastifyAdapter() : new ExpressAdapter();
  if (settings.variant === 'reference') await addReference(adapter, settings);
  const app = await NestFactory.create(BenchModule, adapter, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('Nest did not listen on a port');
  return { port: address.port, close: () => app.close() };
}
