import Router from '@koa/router';
import { AccessDeniedError, ConfigError } from '@nevertrust/core';
import * as ex from '@nevertrust/express';
import Koa from 'koa';
import { tsImport } from 'tsx/esm/api';
import { describe, expect, it, vi } from 'vitest';
import { getPrincipal, nevertrust, publicRoute, requireAnyScope, requireScopes } from '../src/index.js';
import type { defineOrdersController } from './fixtures/orders-controller.js';
import { serve, settled, setup } from './support.js';

async function loadController(decorator: Parameters<typeof defineOrdersController>[0]) {
  const module = (await tsImport('./fixtures/orders-controller.ts', import.meta.url)) as {
    defineOrdersController: typeof defineOrdersController;
  };
  return module.defineOrdersController(decorator, getPrincipal);
}

describe('wiring', () => {
  it('one line protects every route; the principal is ctx.state.principal and getPrincipal(ctx)', async () => {
    const { options, bearer, audit } = setup();
    const app = new Koa();
    app.use(nevertrust(options));
    const router = new Router();
    router.get('/health', publicRoute(), (ctx) => {
      ctx.body = { principal: getPrincipal(ctx, { optional: true }) ?? null };
    });
    router.get('/me', (ctx) => {
      ctx.body = {
        subject: getPrincipal(ctx).subject,
        same: getPrincipal(ctx, { optional: true }) === getPrincipal(ctx),
      };
    });
    router.get('/reports', requireAnyScope('reports:read', 'admin'), (ctx) => {
      ctx.body = [];
    });
    app.use(router.routes());
    const server = await serve(app.callback());
    try {
      expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ principal: null });
      expect((await fetch(`${server.url}/me`)).status).toBe(401);
      expect(await (await fetch(`${server.url}/me`, { headers: bearer() })).json()).toEqual({
        subject: 'user-1',
        same: true,
      });
      expect((await fetch(`${server.url}/reports`, { headers: bearer('reports:write') })).status).toBe(403);
      await settled(audit, 4);
      expect(audit.map((event) => [event.route, event.status])).toEqual([
        ['/health', 200],
        ['/me', 401],
        ['/me', 200],
        ['/reports', 403],
      ]);
    } finally {
      await server.close();
    }
  });

  it('nested routers under a prefix keep the full template; router.use markers guard the whole router', async () => {
    const { options, bearer, audit } = setup();
    const app = new Koa();
    app.use(nevertrust(options));
    const orders = new Router();
    orders.use(requireScopes('orders:read'));
    orders.get('/:id', (ctx) => {
      ctx.body = { id: ctx.params.id };
    });
    const api = new Router({ prefix: '/api' });
    api.use('/orders', orders.routes());
    app.use(api.routes());
    const server = await serve(app.callback());
    try {
      expect((await fetch(`${server.url}/api/orders/9`, { headers: bearer('profile') })).status).toBe(403);
      const allowed = await fetch(`${server.url}/api/orders/9`, { headers: bearer('orders:read') });
      expect(await allowed.json()).toEqual({ id: '9' });
      await settled(audit, 2);
      expect(audit.map((event) => [event.reason, event.path])).toEqual([
        ['ERR_INSUFFICIENT_SCOPE', '/api/orders/9'],
        ['OK', '/api/orders/9'],
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('refusals', () => {
  it('are written through ctx, so upstream middleware (CORS) still shapes the response', async () => {
    const { options } = setup();
    const app = new Koa();
    app.use(async (ctx, next) => {
      await next();
      ctx.set('access-control-allow-origin', '*');
    });
    app.use(nevertrust(options));
    const router = new Router();
    router.get('/orders', requireScopes('orders:read'), (ctx) => {
      ctx.body = [];
    });
    app.use(router.routes());
    const onError = vi.fn();
    app.on('error', onError);
    const server = await serve(app.callback());
    try {
      const response = await fetch(`${server.url}/orders`);
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.json()).toEqual({
        error: 'unauthorized',
        error_description: 'Authentication required',
      });
      expect(onError).not.toHaveBeenCalled();
    } finally {
      await server.close();
    }
  });

  it("with denials: 'error' are thrown to the application's error middleware", async () => {
    const { options, audit } = setup();
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        expect(error).toBeInstanceOf(AccessDeniedError);
        const denied = error as AccessDeniedError;
        ctx.status = denied.status;
        ctx.set({ ...denied.headers, 'x-handled': 'yes' });
        ctx.body = { problem: denied.body.error };
      }
    });
    app.use(nevertrust({ ...options, denials: 'error' }));
    const router = new Router();
    router.get('/orders', (ctx) => {
      ctx.body = [];
    });
    app.use(router.routes());
    const server = await serve(app.callback());
    try {
      const response = await fetch(`${server.url}/orders`, { headers: { authorization: 'Bearer a b' } });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-handled')).toBe('yes');
      expect(await response.json()).toEqual({ problem: 'invalid_request' });
      await settled(audit, 1);
      expect(audit[0]).toMatchObject({ reason: 'ERR_MALFORMED_CREDENTIALS', status: 400 });
    } finally {
      await server.close();
    }
  });

  it('fail closed when a route states a requirement but nevertrust() is not installed', async () => {
    const handler = vi.fn();
    const app = new Koa();
    app.silent = true;
    const router = new Router();
    router.get('/orders', requireScopes('orders:read'), handler);
    app.use(router.routes());
    const server = await serve(app.callback());
    try {
      expect((await fetch(`${server.url}/orders`)).status).toBe(500);
      expect(handler).not.toHaveBeenCalled();
    } finally {
      await server.close();
    }
  });

  it('bad options throw ConfigError at start-up', () => {
    expect(() => nevertrust({ issuers: [] })).toThrow(ConfigError);
  });
});

describe('TC39 method decorators', () => {
  it('a decorated Koa handler is read from the route', async () => {
    const { options, bearer, audit } = setup();
    const controller = await loadController(requireScopes('orders:write'));
    const app = new Koa();
    app.use(nevertrust(options));
    const router = new Router();
    router.post('/orders', controller.create);
    app.use(router.routes());
    const server = await serve(app.callback());
    try {
      expect(
        (await fetch(`${server.url}/orders`, { method: 'POST', headers: bearer('orders:read') })).status,
      ).toBe(403);
      const created = await fetch(`${server.url}/orders`, {
        method: 'POST',
        headers: bearer('orders:write'),
      });
      expect(await created.json()).toEqual({ createdBy: 'user-1' });
      await settled(audit, 2);
      expect(audit.map((event) => [event.route, event.cacheHit])).toEqual([
        ['/orders', false],
        ['/orders', false],
      ]);
    } finally {
      await server.close();
    }
  });

  it('the same decorator works whichever adapter it came from (registry in the core)', async () => {
    const { options, bearer } = setup();
    // Decorated with the Express adapter's marker, mounted on Koa through a wrapper.
    const controller = await loadController(ex.requireScopes('orders:write'));
    const app = new Koa();
    app.use(nevertrust(options));
    const router = new Router();
    router.post('/orders', (ctx) => controller.create(ctx));
    app.use(router.routes());
    const server = await serve(app.callback());
    try {
      expect((await fetch(`${server.url}/orders`, { method: 'POST', headers: bearer('x') })).status).toBe(
        403,
      );
      expect(
        (await fetch(`${server.url}/orders`, { method: 'POST', headers: bearer('orders:write') })).status,
      ).toBe(201);
    } finally {
      await server.close();
    }
  });
});

it('serves the RFC 9728 metadata document without credentials (P-1)', async () => {
  const { options } = setup();
  const app = new Koa();
  app.use(nevertrust({ ...options, resourceMetadata: { resource: 'https://api.koa.test/v1' } }));
  const server = await serve(app.callback());
  try {
    const metadata = await fetch(`${server.url}/.well-known/oauth-protected-resource/v1`);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({ resource: 'https://api.koa.test/v1' });
  } finally {
    await server.close();
  }
});
