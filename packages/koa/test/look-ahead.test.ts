/**
 * The look-ahead: nevertrust decides where it is installed, for the @koa/router route the request will
 * reach, so no middleware after it — router-level, mounted or plain — runs first.
 */
import Router from '@koa/router';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { nevertrust, publicRoute, requireScopes } from '../src/index.js';
import { serve, settled, setup } from './support.js';

type Build = (app: Koa, auth: Koa.Middleware, ran: () => void) => void;

async function harness(build: Build) {
  const fixture = setup();
  const app = new Koa();
  let count = 0;
  build(app, nevertrust(fixture.options), () => {
    count += 1;
  });
  const server = await serve(app.callback());
  const call = async (path: string, scope?: string, extra: Record<string, string> = {}) => {
    const headers = { ...(scope === undefined ? {} : fixture.bearer(scope)), ...extra };
    return (await fetch(`${server.url}${path}`, { headers })).status;
  };
  return { audit: fixture.audit, call, ran: () => count, close: () => server.close() };
}

function ok(ran: () => void): Koa.Middleware {
  return (ctx) => {
    ran();
    ctx.body = { ok: true };
  };
}

describe('Koa look-ahead', () => {
  it("a router's own use() marker and param callbacks come after the decision", async () => {
    const h = await harness((app, auth, ran) => {
      app.use(auth);
      const admin = new Router({ prefix: '/admin' });
      admin.use(requireScopes('admin'));
      admin.param('id', (_id, _ctx, next) => {
        ran();
        return next();
      });
      admin.get('/users/:id', ok(ran));
      app.use(admin.routes());
    });
    try {
      expect(await h.call('/admin/users/7')).toBe(401);
      expect(await h.call('/admin/users/7', 'orders:read')).toBe(403);
      expect(h.ran()).toBe(0);
      expect(await h.call('/admin/users/7', 'admin')).toBe(200);
      expect(h.ran()).toBe(2);
      await settled(h.audit, 3);
      expect(h.audit.map((event) => [event.route, event.requirement])).toEqual([
        ['/admin/users/:id', 'scopes:all'],
        ['/admin/users/:id', 'scopes:all'],
        ['/admin/users/:id', 'scopes:all'],
      ]);
    } finally {
      await h.close();
    }
  });

  it('a router bound to another host is not the destination; an app-level marker covers what follows', async () => {
    const h = await harness((app, auth, ran) => {
      app.use(auth);
      const other = new Router({ host: 'other.example' });
      other.get('/open', publicRoute(), ok(ran));
      app.use(other.routes());
      app.use(publicRoute());
      app.use(ok(ran));
    });
    try {
      // The public route belongs to another host: the app-level public marker is what applies here.
      expect(await h.call('/open')).toBe(200);
      expect(await h.call('/open', undefined, { host: 'other.example' })).toBe(200);
      expect(h.ran()).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('plain middleware after nevertrust meets the default requirement when no route matches', async () => {
    const h = await harness((app, auth, ran) => {
      app.use(auth);
      const router = new Router();
      router.get('/health', publicRoute(), ok(ran));
      app.use(router.routes());
      app.use(ok(ran));
    });
    try {
      expect(await h.call('/health')).toBe(200);
      expect(await h.call('/anything')).toBe(401);
      expect(h.ran()).toBe(1);
      expect(await h.call('/anything', '')).toBe(200);
      expect(h.ran()).toBe(2);
    } finally {
      await h.close();
    }
  });
});
