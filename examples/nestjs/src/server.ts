/**
 * A small orders API on NestJS, protected by nevertrust: `NevertrustModule` puts a global guard in front
 * of every controller, so every route needs a valid access token unless it is marked `@Public()`.
 *
 * Settings come from the environment (the library itself reads none):
 *   ISSUER    the authorization server's issuer identifier (default http://127.0.0.1:9000)
 *   AUDIENCE  this API's identifier in tokens (default https://api.example.test)
 *   JWKS_URI  the key set URL; without it the keys are found through the issuer's metadata
 *   PLATFORM  express (default) or fastify
 *   PORT, HOST  where to listen (default 3000 on 127.0.0.1)
 *
 * Run it with `npm start` in this folder.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { NevertrustModule } from '@nevertrust/nestjs';
import { AdminController, HealthController, OrdersController } from './orders.js';

const settings = {
  issuer: process.env.ISSUER ?? 'http://127.0.0.1:9000',
  audience: process.env.AUDIENCE ?? 'https://api.example.test',
  jwksUri: process.env.JWKS_URI,
  platform: process.env.PLATFORM ?? 'express',
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
};

@Module({
  imports: [
    NevertrustModule.forRoot({
      issuers: [
        {
          issuer: settings.issuer,
          audience: settings.audience,
          ...(settings.jwksUri ? { jwksUri: settings.jwksUri } : {}),
        },
      ],
      onAudit: (event) =>
        console.log(`audit ${event.outcome} ${event.status} ${event.reason} ${event.route ?? '-'}`),
    }),
  ],
  controllers: [HealthController, OrdersController, AdminController],
})
class AppModule {}

const adapter = settings.platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
const app = await NestFactory.create(AppModule, adapter, {
  logger: ['error', 'warn'],
  // Keep-alive connections would hold the process open after close().
  forceCloseConnections: true,
});
await app.listen(settings.port, settings.host);
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
console.log(`nevertrust nestjs example (${settings.platform}) listening on ${url}`);

// Closing the application closes the server and the guard; the process then ends by itself.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close());
}
