/**
 * The Hono middleware in process (`app.request`) and over a real socket (@hono/node-server on 127.0.0.1):
 * deny by default over Hono's router, explicit public routes, markers, the typed principal, one audit
 * event per request with the final status, refusals delivered as errors, start-up errors, coverage.
 */
import { getRequestListener } from '@hono/node-server';
import type { AuditEvent } from '@nevertrust/core';
import { adapterFixture, serve, settled } from '@nevertrust/testkit';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  coverage,
  getPrincipal,
  type NevertrustEnv,
  nevertrust,
  publicRoute,
  requireOwnership,
  requireScopes,
} from '../src/index.js';

const setup = () => adapterFixture<AuditEvent>('https://idp.hono.test/', 'https://api.hono.test');

function appWith(options: Parameters<typeof nevertrust>[0]) {
  const app = new Hono<NevertrustEnv>();
  const ran: string[] = [];
  const auth = nevertrust(options);
  app.use(auth);
  app.get('/health', publicRoute(), (c) => c.json({ subject: c.get('principal')?.subject ?? null }));
  app.get('/orders', requireScopes('orders:read'), (c) => {
    ran.push('orders');
    return c.json({ subject: getPrincipal(c).subject });
  });
  app.post('/orders', requireScopes('orders:write'), (c) => {
    ran.push('create');
    return c.json({ created: true }, 201);
  });
  app.get('/me', (c) => c.json({ subject: c.get('principal')?.subject }));
  app.get('/boom', () => {
    throw new Error('handler failed');
  });
  const admin = new Hono();
  admin.use('*', requireScopes('admin'));
  admin.get('/stats', (c) => {
    ran.push('stats');
    return c.text('stats');
  });
  app.route('/admin', admin);
  app.notFound((c) => {
    ran.push('not-found');
    return c.json({ error: 'not_found' }, 404);
  });
  return { app, ran, auth };
}

describe('nevertrust() for Hono, in process', () => {
  it('deny by default: unmatched and undeclared routes need a token; public routes are explicit', async () => {
    const { options, bearer, audit } = setup();
    const { app, ran } = appWith(options);
    const missing = await app.request('/nothing');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });
    expect((await app.request('/me')).status).toBe(401);
    expect(await (await app.request('/me', { headers: bearer() })).json()).toEqual({ subject: 'user-1' });
    expect(await (await app.request('/health')).json()).toEqual({ subject: null });
    expect((await app.request('/nothing', { headers: bearer() })).status).toBe(404);
    expect(ran).toEqual(['not-found']);
    await settled(audit, 5);
    expect(audit.map((event) => [event.outcome, event.status, event.route])).toEqual([
      ['deny', 401, undefined],
      ['deny', 401, '/me'],
      ['allow', 200, '/me'],
      ['allow', 200, '/health'],
      ['allow', 404, undefined],
    ]);
  });

  it('markers: a route marker and a sub-application marker decide before any handler runs', async () => {
    const { options, bearer, audit } = setup();
    const { app, ran } = appWith(options);
    const refused = await app.request('/orders', { method: 'POST', headers: bearer('orders:read') });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect((await app.request('/admin/stats', { headers: bearer('orders:read') })).status).toBe(403);
    const created = await app.request('/orders', { method: 'POST', headers: bearer('orders:write') });
    expect(created.status).toBe(201);
    expect(await (await app.request('/admin/stats', { headers: bearer('admin') })).text()).toBe('stats');
    expect(ran).toEqual(['create', 'stats']);
    await settled(audit, 4);
    // One event per request, with the status the client got and the route Hono matched.
    expect(audit.map((event) => [event.outcome, event.status, event.route])).toEqual([
      ['deny', 403, '/orders'],
      ['deny', 403, '/admin/stats'],
      ['allow', 201, '/orders'],
      ['allow', 200, '/admin/stats'],
    ]);
    expect(audit[2]?.handlerDurationMs).toBeTypeOf('number');
  });

  it('a handler that throws is recorded with the status Hono answered (500)', async () => {
    const { options, bearer, audit } = setup();
    const { app } = appWith(options);
    expect((await app.request('/boom', { headers: bearer() })).status).toBe(500);
    await settled(audit, 1);
    expect(audit.map((event) => [event.outcome, event.status])).toEqual([['allow', 500]]);
  });

  it("denials: 'error' raises AccessDeniedError into app.onError, recorded once with its status", async () => {
    const { options, audit } = setup();
    const { app } = appWith({ ...options, denials: 'error' });
    app.onError((error, c) =>
      error instanceof AccessDeniedError
        ? c.json({ mine: error.body.error }, error.status as 401, error.headers)
        : c.text('error', 500),
    );
    const response = await app.request('/orders');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ mine: 'unauthorized' });
    await settled(audit, 1);
    expect(audit).toHaveLength(1);
    expect(audit[0]?.status).toBe(401);
  });

  it('B-5: an allowed query token adds Cache-Control: private to the response', async () => {
    const { options, mint } = setup();
    const { app } = appWith({ ...options, allowQueryToken: true });
    const response = await app.request(`/me?access_token=${mint()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('private');
  });

  it('route parameters reach requireOwnership; connection names the audited address', async () => {
    const { options, bearer, audit } = setup();
    const app = new Hono<NevertrustEnv>();
    app.use(
      nevertrust({ ...options, connection: (c) => ({ remoteAddress: (c.env as { peer: string }).peer }) }),
    );
    app.get('/users/:userId/orders', requireOwnership('userId'), (c) => c.text(c.req.param('userId')));
    const env = { peer: '192.0.2.9' };
    expect((await app.request('/users/user-1/orders', { headers: bearer() }, env)).status).toBe(200);
    expect((await app.request('/users/user-2/orders', { headers: bearer() }, env)).status).toBe(403);
    await settled(audit, 2);
    expect(audit.map((event) => [event.status, event.route, event.remoteAddress])).toEqual([
      [200, '/users/:userId/orders', '192.0.2.9'],
      [403, '/users/:userId/orders', '192.0.2.9'],
    ]);
  });

  it('a marker on a request nevertrust did not see fails closed', async () => {
    const app = new Hono();
    app.get('/orders', requireScopes('orders:read'), (c) => c.text('leaked'));
    const response = await app.request('/orders');
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('leaked');
  });

  it('bad options stop start-up, naming the option', () => {
    const { options } = setup();
    expect(() => nevertrust({ ...options, connection: 'x' as never })).toThrow(/connection/);
    expect(() => nevertrust({ ...options, denials: 'maybe' as never })).toThrow(/denials/);
    expect(() => nevertrust({ ...options, preflight: true as never })).toThrow(/preflight/);
  });

  it('coverage: every route with its requirement, and what is registered before nevertrust', () => {
    const { options } = setup();
    const app = new Hono();
    app.get('/early', (c) => c.text('early'));
    const { app: inner, auth } = appWith(options);
    app.route('/', inner);
    const rows = coverage(app, auth).rows.map((row) => [row.method, row.path, row.requirement ?? null]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['GET', '/orders', 'scopes:all(orders:read)'],
        ['POST', '/orders', 'scopes:all(orders:write)'],
        ['GET', '/admin/stats', 'scopes:all(admin)'],
        ['GET', '/health', 'public'],
      ]),
    );
    const early = coverage(app, auth).rows.find((row) => row.path === '/early');
    expect(early?.undeclared).toBe('NOT PROTECTED: registered before nevertrust');
    const own = coverage(inner, auth);
    expect(own.undeclared.map((row) => row.path)).toEqual(expect.arrayContaining(['/me', '/boom']));
  });
});

describe('nevertrust() for Hono over a real socket (@hono/node-server)', () => {
  it('#32 two Authorization lines are refused; the socket peer is the audited address', async () => {
    const { options, bearer, audit } = setup();
    const { app, ran } = appWith(options);
    const server = await serve(getRequestListener(app.fetch));
    try {
      const token = bearer('orders:read').authorization;
      const headers = new Headers([
        ['authorization', token],
        ['authorization', token],
      ]);
      const twice = await fetch(`${server.url}/orders`, { headers });
      expect(twice.status).toBe(400);
      expect(await twice.json()).toMatchObject({ error: 'invalid_request' });
      const once = await fetch(`${server.url}/orders`, { headers: { authorization: token } });
      expect(once.status).toBe(200);
      expect(ran).toEqual(['orders']);
      await settled(audit, 2);
      expect(audit.map((event) => [event.reason, event.remoteAddress])).toEqual([
        ['ERR_MULTIPLE_CREDENTIALS', '127.0.0.1'],
        ['OK', '127.0.0.1'],
      ]);
    } finally {
      await server.close();
    }
  });
});
