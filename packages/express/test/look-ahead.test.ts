/**
 * The look-ahead: nevertrust decides where it is installed, for the handler the request will reach, so
 * nothing mounted after it runs first — wherever nevertrust itself sits in the router tree.
 */
import { requireOwnership } from '@nevertrust/core';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { nevertrust, passThrough, publicRoute, requireScopes, requires } from '../src/index.js';
import { serve, settled, setup } from './support.js';

type Build = (app: express.Express, auth: express.RequestHandler, ran: () => void) => void;

/** An app built around a fresh guard, a counter of the application code that ran, and a caller. */
async function harness(build: Build) {
  const fixture = setup();
  const app = express();
  let count = 0;
  build(app, nevertrust(fixture.options), () => {
    count += 1;
  });
  const server = await serve(app);
  const call = async (path: string, scope?: string, method = 'GET') => {
    const headers = scope === undefined ? {} : fixture.bearer(scope);
    return (await fetch(`${server.url}${path}`, { method, headers })).status;
  };
  return { audit: fixture.audit, call, ran: () => count, close: () => server.close() };
}

function ok(ran: () => void): express.RequestHandler {
  return (_req, res) => {
    ran();
    res.json({ ok: true });
  };
}

describe('Express look-ahead', () => {
  it('decides for the route behind middleware marked passThrough, mounted at a path or as a route', async () => {
    const h = await harness((app, auth, ran) => {
      const counting: express.RequestHandler = (_req, _res, next) => {
        ran();
        next();
      };
      app.use(auth);
      app.use('/api', passThrough(counting));
      app.get('/api/status', passThrough(counting));
      app.get('/api/status', publicRoute(), ok(ran));
      app.get('/api/orders', requireScopes('orders:read'), ok(ran));
      // Not marked: a handler mounted at a path is itself the destination (it may answer).
      app.use('/other', (_req, _res, next) => {
        ran();
        next();
      });
      app.get('/other/status', publicRoute(), ok(ran));
    });
    try {
      // Public behind the marked middleware: it runs (twice: mounted and as a route), then the handler.
      expect(await h.call('/api/status')).toBe(200);
      expect(h.ran()).toBe(3);
      // Refused for the route behind it, before it runs.
      expect(await h.call('/api/orders')).toBe(401);
      expect(await h.call('/api/orders', 'profile')).toBe(403);
      expect(h.ran()).toBe(3);
      expect(await h.call('/api/orders', 'orders:read')).toBe(200);
      expect(h.ran()).toBe(5);
      expect(await h.call('/other/status')).toBe(401);
      expect(h.ran()).toBe(5);
    } finally {
      await h.close();
    }
  });

  it('sees the public routes of a router that holds nevertrust itself, and refuses the rest', async () => {
    const h = await harness((app, auth, ran) => {
      const api = express.Router();
      api.use(auth);
      api.get('/status', publicRoute(), ok(ran));
      api.get('/orders', ok(ran));
      app.use('/api', api);
    });
    try {
      expect(await h.call('/api/status')).toBe(200);
      expect(await h.call('/api/orders')).toBe(401);
      expect(h.ran()).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('nevertrust mounted at a path looks ahead from there', async () => {
    const h = await harness((app, auth, ran) => {
      app.use('/api', auth);
      app.get('/api/status', publicRoute(), ok(ran));
      app.use('/api/upload', ok(ran));
    });
    try {
      expect(await h.call('/api/status')).toBe(200);
      expect(await h.call('/api/upload/x', undefined, 'POST')).toBe(401);
      expect(h.ran()).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('a marker on a use mount states what the mount needs, before anything mounted with it', async () => {
    const h = await harness((app, auth, ran) => {
      app.use(auth);
      app.use('/docs', publicRoute(), ok(ran));
      app.use(
        '/admin',
        requireScopes('admin'),
        (_req, _res, next) => {
          ran();
          next();
        },
        ok(ran),
      );
    });
    try {
      expect(await h.call('/docs/intro')).toBe(200);
      expect(await h.call('/admin/users')).toBe(401);
      expect(await h.call('/admin/users', 'orders:read')).toBe(403);
      expect(h.ran()).toBe(1);
      expect(await h.call('/admin/users', 'admin')).toBe(200);
      expect(h.ran()).toBe(3);
    } finally {
      await h.close();
    }
  });

  it("next('route') to another route meets that route's requirement: the route gate stands behind", async () => {
    const h = await harness((app, auth, ran) => {
      app.use(auth);
      app.get('/x', publicRoute(), (_req, _res, next) => next('route'));
      app.get('/x', requireScopes('secret'), ok(ran));
    });
    try {
      expect(await h.call('/x')).toBe(401);
      expect(h.ran()).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('parameters captured by a mount reach the rules below it (ownership through /users/:uid)', async () => {
    const h = await harness((app, auth, ran) => {
      app.use(auth);
      const orders = express.Router({ mergeParams: true });
      orders.use((_req, _res, next) => {
        ran();
        next();
      });
      orders.get('/orders', requires(requireOwnership('uid')), ok(ran));
      app.use('/users/:uid', orders);
    });
    try {
      expect(await h.call('/users/user-1/orders', '')).toBe(200);
      expect(h.ran()).toBe(2);
      expect(await h.call('/users/someone-else/orders', '')).toBe(403);
      expect(h.ran()).toBe(2);
      await settled(h.audit, 2);
      expect(h.audit.map((event) => event.route)).toEqual(['/users/:uid/orders', '/users/:uid/orders']);
    } finally {
      await h.close();
    }
  });
});
