/**
 * @nevertrust/nestjs on both Nest platforms, over real sockets: deny by default, the decorators and how
 * they combine, nothing of the application (middleware, interceptor, pipe, handler) running for a refused
 * request, Nest's 404 behind the guard, refusals written as the core decided them in both denial modes,
 * options from a factory, start-up errors, and the coverage report.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AuditEvent, NevertrustOptions } from '@nevertrust/core';
import { adapterFixture } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { coverage, NevertrustModule, Public, RequireScopes } from '../src/index.js';
import { ordersModule, type Ran } from './fixtures/orders-app.js';

const PLATFORMS = {
  express: () => new ExpressAdapter(),
  fastify: () => new FastifyAdapter(),
};
type Platform = keyof typeof PLATFORMS;

const fixtureFor = () => adapterFixture<AuditEvent>('https://idp.nest.test/', 'https://api.nest.test');

async function listen(module: object, platform: Platform) {
  const app = await NestFactory.create(module as never, PLATFORMS[platform](), {
    logger: false,
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url };
}

async function start(platform: Platform, extra: Partial<NevertrustOptions> = {}) {
  const fixture = fixtureFor();
  const ran: [string, unknown][] = [];
  const record: Ran = (what, caseId) => ran.push([what, caseId]);
  const { app, url } = await listen(ordersModule({ ...fixture.options, ...extra }, record), platform);
  const send = (path: string, caseId: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as object), 'x-case': caseId } });
  const ranFor = (caseId: string) => ran.filter(([, id]) => id === caseId).map(([what]) => what);
  return { ...fixture, app, ran, ranFor, send, url };
}

/** Waits (bounded) until `count` audit events were recorded: the event is completed after the response. */
async function auditOf(audit: readonly AuditEvent[], count: number): Promise<AuditEvent[]> {
  const deadline = Date.now() + 2000;
  while (audit.length < count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
  return [...audit];
}

describe.each(Object.keys(PLATFORMS) as Platform[])('NevertrustModule on %s', (platform) => {
  it('denies by default, lets a public controller through, and gives handlers the principal', async () => {
    const { app, bearer, audit, ranFor, ran, send } = await start(platform);
    try {
      const health = await send('/health', 'health');
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, subject: null });
      // The application's middleware runs for a request that passed (here: a public route).
      expect(ranFor('health')).toEqual(['middleware', 'route middleware']);
      const anonymous = await send('/orders', 'anon');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      expect(ranFor('anon')).toEqual([]);
      const me = await send('/me', 'me', { headers: bearer('profile') });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { scopes: string[] }).scopes).toEqual(['profile']);
      const events = await auditOf(audit, 3);
      expect(events.map((event) => [event.outcome, event.status, event.route])).toEqual([
        ['allow', 200, '/health'],
        ['deny', 401, '/orders'],
        ['allow', 200, '/me'],
      ]);
      expect(ran.length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('combines controller and handler requirements with and; nothing of the app runs for a refusal', async () => {
    const { app, bearer, ranFor, send } = await start(platform);
    try {
      // The controller wants orders:read or orders:admin; creating also wants orders:write.
      const read = await send('/orders/7', 'read', { headers: bearer('orders:read') });
      expect(read.status).toBe(200);
      expect(ranFor('read')).toEqual(['middleware', 'route middleware', 'interceptor']);
      const other = await send('/orders/7', 'other', { headers: bearer('profile') });
      expect(other.status).toBe(403);
      expect(other.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
      expect(await other.json()).toEqual({
        error: 'insufficient_scope',
        error_description: expect.any(String),
      });
      const writeOnly = await send('/orders', 'write-only', {
        method: 'POST',
        headers: bearer('orders:write'),
      });
      expect(writeOnly.status).toBe(403);
      const both = await send('/orders', 'both', {
        method: 'POST',
        headers: bearer('orders:read orders:write'),
      });
      expect(both.status).toBe(201);
      const notAdmin = await send('/orders/7', 'not-admin', {
        method: 'DELETE',
        headers: bearer('orders:admin'),
      });
      expect(notAdmin.status).toBe(403);
      for (const refused of ['other', 'write-only', 'not-admin']) expect(ranFor(refused)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('decides a request no route takes like the other adapters: 401 first, Nest’s 404 with a valid token', async () => {
    const { app, bearer, audit, ranFor, send } = await start(platform);
    try {
      const anonymous = await send('/nothing/here', 'nothing-anon');
      expect(anonymous.status).toBe(401);
      expect(ranFor('nothing-anon')).toEqual([]);
      const known = await send('/nothing/here', 'nothing-token', { headers: bearer('profile') });
      expect(known.status).toBe(404);
      const events = await auditOf(audit, 2);
      expect(events.map((event) => [event.outcome, event.reason, event.status])).toEqual([
        ['deny', 'ERR_NO_CREDENTIALS', 401],
        ['allow', 'OK', 404],
      ]);
    } finally {
      await app.close();
    }
  });

  it("with denials: 'error', the filter writes the core's refusal, not Nest's exception body", async () => {
    const { app, bearer, send, ranFor } = await start(platform, { denials: 'error' });
    try {
      const refused = await send('/orders/7', 'error-mode', { headers: bearer('profile') });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(((await refused.json()) as { error: string }).error).toBe('insufficient_scope');
      expect(ranFor('error-mode')).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('takes its options from a factory (forRootAsync) with injected providers', async () => {
    const fixture = fixtureFor();
    const CONFIG = Symbol('config');
    @Controller('profile')
    class ProfileController {
      @Get()
      @RequireScopes('profile')
      read() {
        return { ok: true };
      }
    }
    @Module({ providers: [{ provide: CONFIG, useValue: fixture.options }], exports: [CONFIG] })
    class ConfigModule {}
    @Module({
      imports: [
        NevertrustModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: async (options: NevertrustOptions) => options,
        }),
      ],
      controllers: [ProfileController],
    })
    class AppModule {}
    const { app, url } = await listen(AppModule, platform);
    try {
      expect((await fetch(`${url}/profile`)).status).toBe(401);
      expect((await fetch(`${url}/profile`, { headers: fixture.bearer('profile') })).status).toBe(200);
      const report = coverage(app);
      expect(report.rows.map((row) => [row.method, row.path, row.requirement])).toContainEqual([
        'GET',
        '/profile',
        'scopes:all(profile)',
      ]);
    } finally {
      await app.close();
    }
  });

  it('stops start-up on bad options and on @Public() inside a protected controller, naming them', async () => {
    await expect(
      NestFactory.create(
        ordersModule({ issuers: [] } as never, () => {}),
        PLATFORMS[platform](),
        {
          logger: false,
          abortOnError: false,
        },
      ),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    @Controller('mixed')
    @RequireScopes('orders:read')
    class MixedController {
      @Get()
      @Public()
      open() {
        return {};
      }
    }
    @Module({ imports: [NevertrustModule.forRoot(fixtureFor().options)], controllers: [MixedController] })
    class MixedModule {}
    await expect(
      NestFactory.create(MixedModule, PLATFORMS[platform](), { logger: false, abortOnError: false }),
    ).rejects.toMatchObject({ problems: [expect.stringMatching(/^MixedController\.open: /)] });
  });
});
