import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AuditEvent } from '@nevertrust/core';
import { adapterFixture } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { ordersModule, type Ran } from './fixtures/orders-app.js';

const PLATFORMS = {
  express: () => new ExpressAdapter(),
  fastify: () => new FastifyAdapter(),
};

async function start(platform: keyof typeof PLATFORMS) {
  const fixture = adapterFixture<AuditEvent>('https://idp.nest.test/', 'https://api.nest.test');
  const ran: [string, unknown][] = [];
  const record: Ran = (what, caseId) => ran.push([what, caseId]);
  const app = await NestFactory.create(ordersModule(fixture.options, record), PLATFORMS[platform](), {
    logger: false,
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { ...fixture, app, ran, url };
}

describe.each(Object.keys(PLATFORMS) as (keyof typeof PLATFORMS)[])('NevertrustModule on %s', (platform) => {
  it('denies by default, lets a public route through, and reaches the principal', async () => {
    const { app, url, bearer, audit, ran } = await start(platform);
    try {
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, subject: null });
      const anonymous = await fetch(`${url}/orders`, { headers: { 'x-case': 'anon' } });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(ran.filter(([, caseId]) => caseId === 'anon')).toEqual([]);
      expect(ran).toEqual([['middleware', undefined]]);
      const me = await fetch(`${url}/me`, { headers: bearer('profile') });
      expect(me.status).toBe(200);
      expect((await me.json()).scopes).toEqual(['profile']);
      expect(audit.map((event) => event.status)).toEqual([200, 401, 200]);
    } finally {
      await app.close();
    }
  });
});
