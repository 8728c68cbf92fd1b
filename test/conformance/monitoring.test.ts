/**
 * Continuous monitoring over real HTTP, against every adapter: rate limits (429 + Retry-After per peer,
 * per principal, per route), each anomaly detector with its block, the audit trail (one decision per
 * request, correlation ids, detection records) and Prometheus metrics scraped from each app's own
 * `/metrics` route. Distinct peers are real: clients bind to different loopback addresses.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import {
  type AuditRecord,
  createCallbackSink,
  createGuard,
  type Guard,
  type GuardOptions,
} from '@nevertrust/core';
import * as ex from '@nevertrust/express';
import * as fa from '@nevertrust/fastify';
import * as ko from '@nevertrust/koa';
import { createPrometheusMetrics, type PrometheusMetrics } from '@nevertrust/prometheus';
import { createTokenIssuer, generateTestKey } from '@nevertrust/testkit';
import express from 'express';
import fastify from 'fastify';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';

const ISSUER = 'https://idp.monitoring.conformance/';
const AUDIENCE = 'https://api.monitoring.conformance';
const key = generateTestKey('ES256', 'monitoring-conformance');
const mint = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key });
const FRAMEWORKS = ['express', 'koa', 'fastify'] as const;
type Framework = (typeof FRAMEWORKS)[number];

interface Running {
  readonly port: number;
  readonly guard: Guard;
  readonly records: AuditRecord[];
  readonly metrics: PrometheusMetrics;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

async function handlerFor(framework: Framework, guard: Guard, metrics: PrometheusMetrics) {
  const scrape = async () => metrics.registry.metrics();
  if (framework === 'express') {
    const app = express();
    app.use(ex.nevertrust({ guard }));
    app.get('/metrics', ex.publicRoute(), async (_req, res) => {
      res.type(metrics.registry.contentType).send(await scrape());
    });
    app.get('/login', ex.publicRoute(), (_req, res) => res.json({ ok: true }));
    app.get('/api/orders', ex.requireScopes('orders:read'), (req, res) =>
      res.json({ sub: ex.getPrincipal(req).subject }),
    );
    app.get('/api/admin', ex.requireScopes('admin'), (_req, res) => res.json({ admin: true }));
    return { handler: app, close: async () => {} };
  }
  if (framework === 'koa') {
    const app = new Koa();
    app.use(ko.nevertrust({ guard }));
    const router = new Router();
    router.get('/metrics', ko.publicRoute(), async (ctx) => {
      ctx.type = metrics.registry.contentType;
      ctx.body = await scrape();
    });
    router.get('/login', ko.publicRoute(), (ctx) => {
      ctx.body = { ok: true };
    });
    router.get('/api/orders', ko.requireScopes('orders:read'), (ctx) => {
      ctx.body = { sub: ko.getPrincipal(ctx).subject };
    });
    router.get('/api/admin', ko.requireScopes('admin'), (ctx) => {
      ctx.body = { admin: true };
    });
    app.use(router.routes());
    return { handler: app.callback(), close: async () => {} };
  }
  const app = fastify();
  await app.register(fa.nevertrust, { guard });
  app.get('/metrics', { preHandler: fa.publicRoute() }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return scrape();
  });
  app.get('/login', { preHandler: fa.publicRoute() }, async () => ({ ok: true }));
  app.get('/api/orders', { preHandler: fa.requireScopes('orders:read') }, async (request) => ({
    sub: fa.getPrincipal(request).subject,
  }));
  app.get('/api/admin', { preHandler: fa.requireScopes('admin') }, async () => ({ admin: true }));
  await app.ready();
  return { handler: app.routing, close: () => app.close() };
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

async function start(framework: Framework, options: Partial<GuardOptions>): Promise<Running> {
  const records: AuditRecord[] = [];
  const metrics = createPrometheusMetrics();
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
    metrics: [metrics],
    audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
    ...options,
  });
  const app = await handlerFor(framework, guard, metrics);
  const server: Server = createServer(app.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const started: Running = {
    port: (server.address() as AddressInfo).port,
    guard,
    records,
    metrics,
    async close() {
      await app.close();
      await new Promise((resolve) => server.close(resolve));
      await guard.close();
    },
  };
  running.push(started);
  return started;
}

/** One request over a fresh connection from `peer` (a loopback address the client binds to). */
function call(
  app: Running,
  path: string,
  options: { token?: string; peer?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { connection: 'close', ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: app.port,
        path,
        headers,
        localAddress: options.peer ?? '127.0.0.1',
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Waits (bounded) until the guard's sinks have written what was queued. */
async function trail(app: Running): Promise<AuditRecord[]> {
  await app.guard.flushAudit(2000);
  return app.records;
}

function expectRetryAfter(reply: Reply, status: number): number {
  expect(reply.status).toBe(status);
  const retry = Number(reply.headers['retry-after']);
  expect(Number.isInteger(retry) && retry >= 1, `Retry-After ${String(reply.headers['retry-after'])}`).toBe(
    true,
  );
  expect(reply.headers['cache-control']).toBe('no-store');
  return retry;
}

describe.each(FRAMEWORKS)('monitoring over HTTP: %s', (framework) => {
  it('per-peer rate limit on one route: 429 + Retry-After; other peers and routes unaffected', async () => {
    const app = await start(framework, {
      rateLimits: [{ by: 'peer', limit: 3, windowSeconds: 60, routes: ['/login'] }],
    });
    for (let index = 0; index < 3; index += 1)
      expect((await call(app, '/login', { peer: '127.0.0.2' })).status).toBe(200);
    const limited = await call(app, '/login', { peer: '127.0.0.2' });
    const retry = expectRetryAfter(limited, 429);
    // Refused requests count too, so the wait can reach into the next window (never past two windows).
    expect(retry).toBeLessThanOrEqual(120);
    expect(JSON.parse(limited.body)).toEqual({
      error: 'too_many_requests',
      error_description: 'Too many requests',
    });
    expect(limited.headers['www-authenticate']).toBeUndefined();
    expect((await call(app, '/login', { peer: '127.0.0.3' })).status).toBe(200);
    const token = mint({ claims: { scope: 'orders:read' } });
    expect((await call(app, '/api/orders', { peer: '127.0.0.2', token })).status).toBe(200);
  });

  it('per-principal rate limit: counted after verification, whatever the address', async () => {
    const app = await start(framework, {
      rateLimits: [{ name: 'per-user', by: 'principal', limit: 2, windowSeconds: 60 }],
    });
    const alice = mint({ claims: { sub: 'alice', scope: 'orders:read' } });
    expect((await call(app, '/api/orders', { token: alice, peer: '127.0.0.4' })).status).toBe(200);
    expect((await call(app, '/api/orders', { token: alice, peer: '127.0.0.5' })).status).toBe(200);
    const limited = await call(app, '/api/orders', { token: alice, peer: '127.0.0.6' });
    expectRetryAfter(limited, 429);
    const bob = mint({ claims: { sub: 'bob', scope: 'orders:read' } });
    expect((await call(app, '/api/orders', { token: bob, peer: '127.0.0.6' })).status).toBe(200);
    const records = await trail(app);
    const refusal = records.find(
      (record) => record.type === 'decision' && record.reason === 'ERR_RATE_LIMITED',
    );
    expect(refusal).toMatchObject({ subject: 'alice', status: 429, detail: 'rate limit per-user' });
  });

  it('per-client rate limit: every user of one client shares its budget', async () => {
    const app = await start(framework, { rateLimits: [{ by: 'client', limit: 2, windowSeconds: 60 }] });
    const user = (sub: string, client: string) =>
      mint({ claims: { sub, client_id: client, scope: 'orders:read' } });
    expect((await call(app, '/api/orders', { token: user('u1', 'app-a') })).status).toBe(200);
    expect((await call(app, '/api/orders', { token: user('u2', 'app-a') })).status).toBe(200);
    expectRetryAfter(await call(app, '/api/orders', { token: user('u3', 'app-a') }), 429);
    expect((await call(app, '/api/orders', { token: user('u3', 'app-b') })).status).toBe(200);
  });

  it('auth-failure-burst: a peer sending bad tokens is reported, then blocked with 429 + Retry-After', async () => {
    const app = await start(framework, {
      detectors: { authFailureBurst: { threshold: 4, windowSeconds: 60, blockSeconds: 90 } },
    });
    for (let index = 0; index < 4; index += 1) {
      const reply = await call(app, '/api/orders', { token: `bad.token.${index}`, peer: '127.0.0.8' });
      expect(reply.status).toBe(401);
    }
    const good = mint({ claims: { scope: 'orders:read' } });
    const blocked = await call(app, '/api/orders', { token: good, peer: '127.0.0.8' });
    expect(expectRetryAfter(blocked, 429)).toBeGreaterThanOrEqual(89);
    expect(JSON.parse(blocked.body).error).toBe('too_many_requests');
    expect((await call(app, '/api/orders', { token: good, peer: '127.0.0.9' })).status).toBe(200);
    const detections = (await trail(app)).filter((record) => record.type === 'detection');
    expect(detections).toEqual([
      expect.objectContaining({
        detector: 'auth-failure-burst',
        remoteAddress: '127.0.0.8',
        action: 'block',
      }),
    ]);
  });

  it('scope-probing: a principal refused again and again is blocked from every address', async () => {
    const app = await start(framework, {
      detectors: { scopeProbing: { threshold: 3, windowSeconds: 60, blockSeconds: 300 } },
    });
    const token = mint({ claims: { sub: 'mallory', scope: 'orders:read' } });
    for (let index = 0; index < 3; index += 1) {
      expect((await call(app, '/api/admin', { token, peer: '127.0.0.10' })).status).toBe(403);
    }
    const blocked = await call(app, '/api/orders', { token, peer: '127.0.0.11' });
    expectRetryAfter(blocked, 429);
    const detections = (await trail(app)).filter((record) => record.type === 'detection');
    expect(detections).toEqual([
      expect.objectContaining({ detector: 'scope-probing', offender: 'principal', subject: 'mallory' }),
    ]);
  });

  it('token-spread: one token from many addresses is suspended with 401 invalid_token', async () => {
    const app = await start(framework, {
      detectors: { tokenSpread: { threshold: 3, windowSeconds: 300, blockSeconds: 600 } },
    });
    const token = mint({ claims: { scope: 'orders:read' } });
    expect((await call(app, '/api/orders', { token, peer: '127.0.0.12' })).status).toBe(200);
    expect((await call(app, '/api/orders', { token, peer: '127.0.0.13' })).status).toBe(200);
    const suspended = await call(app, '/api/orders', { token, peer: '127.0.0.14' });
    expect(suspended.status).toBe(401);
    expect(suspended.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(JSON.parse(suspended.body).error_description).toBe('The access token has been suspended');
    expect((await call(app, '/api/orders', { token, peer: '127.0.0.12' })).status).toBe(401);
    const fresh = mint({ claims: { scope: 'orders:read' } });
    expect((await call(app, '/api/orders', { token: fresh, peer: '127.0.0.12' })).status).toBe(200);
  });

  it('audit.failClosed: a sink that hangs turns allows into 503 + Retry-After within the bound', async () => {
    const hanging = { name: 'hanging', write: () => new Promise<void>(() => {}) };
    const app = await start(framework, {
      audit: { sinks: [hanging], failClosed: true, maxUnconfirmedRecords: 3, maxUnconfirmedMs: 60_000 },
    });
    const token = mint({ claims: { scope: 'orders:read' } });
    const statuses: number[] = [];
    let refused: Reply | undefined;
    for (let attempt = 0; attempt < 10 && refused === undefined; attempt += 1) {
      const reply = await call(app, '/api/orders', { token });
      statuses.push(reply.status);
      if (reply.status !== 200) refused = reply;
    }
    // Sequential requests: each allow's record is handed over when its response ends, before the next.
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    if (!refused) expect.fail('expected a refusal once three records were unconfirmed');
    expectRetryAfter(refused, 503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await call(app, '/login')).status).toBe(503);
  });

  it('audit trail: one decision per request with the final status, correlation id from x-request-id', async () => {
    const app = await start(framework, {});
    const token = mint({ claims: { scope: 'orders:read' } });
    await call(app, '/api/orders', { token, headers: { 'x-request-id': 'req-allow-1' } });
    await call(app, '/api/orders?access_token=secret', { headers: { 'x-request-id': 'req-deny-1' } });
    const decisions = (await trail(app)).filter((record) => record.type === 'decision');
    expect(decisions).toHaveLength(2);
    expect(decisions[0]).toMatchObject({
      correlationId: 'req-allow-1',
      outcome: 'allow',
      status: 200,
      route: '/api/orders',
    });
    expect(decisions[1]).toMatchObject({
      correlationId: 'req-deny-1',
      outcome: 'deny',
      status: 401,
      path: '/api/orders',
    });
    expect(JSON.stringify(decisions)).not.toContain(token.slice(0, 24));
    expect(JSON.stringify(decisions)).not.toContain('secret');
  });

  it('metrics scraped from the app’s own /metrics route', async () => {
    const app = await start(framework, {
      rateLimits: [{ by: 'peer', limit: 2, windowSeconds: 60, routes: ['/api/orders'] }],
    });
    const token = mint({ claims: { scope: 'orders:read' } });
    for (let index = 0; index < 3; index += 1) await call(app, '/api/orders', { token, peer: '127.0.0.15' });
    await call(app, '/api/admin', { token, peer: '127.0.0.16' });
    const scraped = await call(app, '/metrics', { peer: '127.0.0.16' });
    expect(scraped.status).toBe(200);
    expect(String(scraped.headers['content-type'])).toContain('text/plain');
    const line = (name: string) =>
      scraped.body
        .split('\n')
        .find((text) => text.startsWith(name))
        ?.split(' ')
        .at(-1);
    expect(line('nevertrust_decisions_total{outcome="allow",reason="OK",route="/api/orders"}')).toBe('2');
    expect(
      line('nevertrust_decisions_total{outcome="deny",reason="ERR_RATE_LIMITED",route="/api/orders"}'),
    ).toBe('1');
    expect(
      line('nevertrust_decisions_total{outcome="deny",reason="ERR_INSUFFICIENT_SCOPE",route="/api/admin"}'),
    ).toBe('1');
    // The cache admits a token on its second verification: miss, miss, then the /api/admin call hits.
    expect(line('nevertrust_token_cache_lookups_total{result="miss"}')).toBe('2');
    expect(line('nevertrust_token_cache_lookups_total{result="hit"}')).toBe('1');
    expect(scraped.body).toContain('nevertrust_verification_duration_seconds_bucket');
  });
});
