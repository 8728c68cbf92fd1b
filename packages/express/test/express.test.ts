import { X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  AccessDeniedError,
  AUTHENTICATED,
  ConfigError,
  requireOwnership,
  type TlsFacts,
} from '@nevertrust/core';
import { gateOf } from '@nevertrust/core/adapter';
import { testTls } from '@nevertrust/testkit';
import express, { type ErrorRequestHandler } from 'express';
import { tsImport } from 'tsx/esm/api';
import { describe, expect, it, vi } from 'vitest';
import {
  getPrincipal,
  nevertrust,
  publicRoute,
  requireAnyScope,
  requireScopes,
  requires,
} from '../src/index.js';
import type { defineOrdersController } from './fixtures/orders-controller.js';
import { serve, settled, setup } from './support.js';

async function loadController() {
  const module = (await tsImport('./fixtures/orders-controller.ts', import.meta.url)) as {
    defineOrdersController: typeof defineOrdersController;
  };
  return module.defineOrdersController(requireScopes('orders:write'), publicRoute(), getPrincipal);
}

describe('wiring', () => {
  it('one line protects every route; routes state their needs; getPrincipal(req) reaches the principal', async () => {
    const { options, bearer, audit } = setup();
    const app = express();
    app.use(nevertrust(options));
    app.get('/health', publicRoute(), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/me', (req, res) => {
      res.json({
        subject: getPrincipal(req).subject,
        same: getPrincipal(req) === getPrincipal(req, { optional: true }),
      });
    });
    app.get('/reports', requireAnyScope('reports:read', 'admin'), (_req, res) => {
      res.json([]);
    });
    const server = await serve(app);
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/me`)).status).toBe(401);
      const me = await fetch(`${server.url}/me`, { headers: bearer() });
      expect(await me.json()).toEqual({ subject: 'user-1', same: true });
      expect((await fetch(`${server.url}/reports`, { headers: bearer('admin') })).status).toBe(200);
      await settled(audit, 4);
      expect(audit.map((event) => [event.route, event.status])).toEqual([
        ['/health', 200],
        ['/me', 401],
        ['/me', 200],
        ['/reports', 200],
      ]);
    } finally {
      await server.close();
    }
  });

  it('works on routers mounted under a prefix, with the full route template in the audit', async () => {
    const { options, bearer, audit } = setup();
    const app = express();
    app.use(nevertrust(options));
    const orders = express.Router();
    orders.get('/:id', requireScopes('orders:read'), (req, res) => {
      res.json({ id: req.params.id });
    });
    const api = express.Router();
    api.use('/orders', orders);
    app.use('/api/v1', api);
    const server = await serve(app);
    try {
      const denied = await fetch(`${server.url}/api/v1/orders/7`, { headers: bearer('profile') });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toContain('scope="orders:read"');
      const allowed = await fetch(`${server.url}/api/v1/orders/7?x=1`, { headers: bearer('orders:read') });
      expect(await allowed.json()).toEqual({ id: '7' });
      await settled(audit, 2);
      expect(audit.map((event) => [event.route, event.path])).toEqual([
        ['/api/v1/orders/:id', '/api/v1/orders/7'],
        ['/api/v1/orders/:id', '/api/v1/orders/7'],
      ]);
    } finally {
      await server.close();
    }
  });

  it('HEAD on a GET route is held to the GET route requirement', async () => {
    const { options, bearer } = setup();
    const app = express();
    app.use(nevertrust(options));
    app.get('/orders', requireScopes('orders:read'), (_req, res) => {
      res.json([]);
    });
    const server = await serve(app);
    try {
      expect((await fetch(`${server.url}/orders`, { method: 'HEAD', headers: bearer('x') })).status).toBe(
        403,
      );
      const ok = await fetch(`${server.url}/orders`, { method: 'HEAD', headers: bearer('orders:read') });
      expect(ok.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('app.route() with different requirements per method reads only the matching method', async () => {
    const { options, bearer } = setup();
    const app = express();
    app.use(nevertrust(options));
    app
      .route('/orders')
      .get(requireScopes('orders:read'), (_req, res) => {
        res.json([]);
      })
      .post(requireScopes('orders:write'), (_req, res) => {
        res.status(201).end();
      });
    const server = await serve(app);
    try {
      expect((await fetch(`${server.url}/orders`, { headers: bearer('orders:read') })).status).toBe(200);
      const post = await fetch(`${server.url}/orders`, { method: 'POST', headers: bearer('orders:read') });
      expect(post.status).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('records one audit event per request, with the final status and the handler duration', async () => {
    const { options, bearer, audit } = setup();
    const app = express();
    app.use(nevertrust(options));
    app.use(nevertrust(options)); // a second install keeps the first gate: still one event
    app.get('/slow', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      res.status(202).json({});
    });
    const server = await serve(app);
    try {
      expect((await fetch(`${server.url}/slow`, { headers: bearer() })).status).toBe(202);
      await settled(audit, 1);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ outcome: 'allow', status: 202, route: '/slow' });
      expect(audit[0]?.handlerDurationMs).toBeGreaterThanOrEqual(35);
    } finally {
      await server.close();
    }
  });
});

describe('facts come from the socket, not from Express', () => {
  it('remoteAddress is the peer even with trust proxy and X-Forwarded-For', async () => {
    const { options, audit } = setup();
    const app = express();
    app.set('trust proxy', true);
    app.use(nevertrust(options));
    app.get('/x', (_req, res) => {
      res.end();
    });
    const server = await serve(app);
    try {
      await fetch(`${server.url}/x`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      await settled(audit, 1);
      expect(audit[0]?.remoteAddress).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
  });

  it('TLS facts carry the verified client certificate from the TLS socket', async () => {
    const { options } = setup();
    const tls = await testTls();
    let seen: TlsFacts | undefined;
    const app = express();
    app.use(nevertrust(options));
    app.get('/health', publicRoute(), (req, res) => {
      seen = gateOf(req)?.facts.tls;
      res.end();
    });
    const server = createHttpsServer(
      { key: tls.serverKey, cert: tls.serverCert, ca: tls.ca, requestCert: true, rejectUnauthorized: false },
      app,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await new Promise<void>((resolve, reject) => {
        const options = { host: '127.0.0.1', port, path: '/health', ca: tls.ca, key: tls.clientKey };
        httpsRequest({ ...options, cert: tls.clientCert }, (res) => res.resume().on('end', resolve))
          .on('error', reject)
          .end();
      });
      expect(seen?.authorized).toBe(true);
      expect(Buffer.from(seen?.peerCertificate ?? [])).toEqual(new X509Certificate(tls.clientCert).raw);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('refusals', () => {
  it('are written with Express: headers set upstream (CORS) stay, the error handler is not involved', async () => {
    const { options } = setup();
    const onError = vi.fn<ErrorRequestHandler>((_error, _req, res) => {
      res.status(500).end();
    });
    const app = express();
    app.use((_req, res, next) => {
      res.set('access-control-allow-origin', '*').set('access-control-expose-headers', 'WWW-Authenticate');
      next();
    });
    app.use(nevertrust(options));
    app.get('/orders', (_req, res) => {
      res.end();
    });
    app.use(onError);
    const server = await serve(app);
    try {
      const response = await fetch(`${server.url}/orders`);
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        error: 'unauthorized',
        error_description: 'Authentication required',
      });
      expect(onError).not.toHaveBeenCalled();
    } finally {
      await server.close();
    }
  });

  it("with denials: 'error' reach the application's error handler as AccessDeniedError", async () => {
    const { options, audit } = setup();
    const app = express();
    app.use(nevertrust({ ...options, denials: 'error' }));
    app.get('/orders', requireScopes('orders:read'), (_req, res) => {
      res.end();
    });
    app.use(((error, _req, res, _next) => {
      expect(error).toBeInstanceOf(AccessDeniedError);
      const denied = error as AccessDeniedError;
      res
        .status(denied.status)
        .set(denied.headers)
        .set('x-handled', 'yes')
        .json({ problem: denied.body.error });
    }) satisfies ErrorRequestHandler);
    const server = await serve(app);
    try {
      const response = await fetch(`${server.url}/orders`);
      expect(response.status).toBe(401);
      expect(response.headers.get('x-handled')).toBe('yes');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({ problem: 'unauthorized' });
      await settled(audit, 1);
      expect(audit[0]).toMatchObject({ reason: 'ERR_NO_CREDENTIALS', status: 401 });
    } finally {
      await server.close();
    }
  });

  it('fail closed when a route states a requirement but nevertrust() is not installed', async () => {
    const handler = vi.fn();
    const app = express();
    app.get('/orders', requireScopes('orders:read'), handler);
    app.use(((error, _req, res, _next) => {
      res.status(500).json({ code: (error as ConfigError).code });
    }) satisfies ErrorRequestHandler);
    const server = await serve(app);
    try {
      const response = await fetch(`${server.url}/orders`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ code: 'ERR_CONFIG' });
      expect(handler).not.toHaveBeenCalled();
    } finally {
      await server.close();
    }
  });
});

describe('start-up validation', () => {
  it('bad options and bad requirements throw ConfigError naming the option', () => {
    expect(() => nevertrust({ issuers: [] })).toThrow(ConfigError);
    expect(() => nevertrust({ issuers: [] })).toThrow(/issuers/);
    const { options } = setup();
    expect(() => nevertrust({ ...options, denials: 'maybe' as 'error' })).toThrow(/denials/);
    expect(() => requireScopes()).toThrow(ConfigError);
    expect(() => requireScopes('orders read')).toThrow(/scope token/);
    expect(() => requires({ type: 'nonsense' } as never)).toThrow(ConfigError);
  });
});

describe('TC39 method decorators', () => {
  it('a decorated handler is read from the route: one evaluation, route in the audit', async () => {
    const { options, bearer, audit } = setup();
    const controller = await loadController();
    const app = express();
    app.use(nevertrust(options));
    app.post('/orders', controller.create);
    app.get('/catalogue', controller.catalogue);
    const server = await serve(app);
    try {
      expect((await fetch(`${server.url}/catalogue`)).status).toBe(200);
      const denied = await fetch(`${server.url}/orders`, { method: 'POST', headers: bearer('orders:read') });
      expect(denied.status).toBe(403);
      await settled(audit, 2);
      expect(audit.map((event) => [event.requirement, event.route, event.cacheHit])).toEqual([
        ['public', '/catalogue', false],
        ['scopes:all', '/orders', false],
      ]);
    } finally {
      await server.close();
    }
  });

  it('a decorated handler called through a wrapper still enforces its own requirement', async () => {
    const { options, bearer, audit } = setup();
    const controller = await loadController();
    const app = express();
    app.use(nevertrust(options));
    app.post('/orders', (req, res) => controller.create(req, res));
    const server = await serve(app);
    try {
      const denied = await fetch(`${server.url}/orders`, { method: 'POST', headers: bearer('orders:read') });
      expect(denied.status).toBe(403);
      expect(controller.created).toEqual([]);
      const allowed = await fetch(`${server.url}/orders`, {
        method: 'POST',
        headers: bearer('orders:write'),
      });
      expect(allowed.status).toBe(201);
      expect(controller.created).toEqual(['user-1']);
      await settled(audit, 2);
      expect(audit.map((event) => [event.reason, event.status, event.requiredScopes])).toEqual([
        ['ERR_INSUFFICIENT_SCOPE', 403, ['orders:write']],
        ['OK', 201, ['orders:write']],
      ]);
    } finally {
      await server.close();
    }
  });

  it('a decorator only decorates methods', () => {
    type Decorate = (
      value: unknown,
      context: { kind: string; name: string; addInitializer(): void },
    ) => unknown;
    const decorator = requireScopes('a') as unknown as Decorate;
    const context = { kind: 'field', name: 'x', addInitializer() {} };
    expect(() => decorator(undefined, context)).toThrow(ConfigError);
  });
});

describe('RFC 9728 protected resource metadata', () => {
  it('is served at its well-known path without credentials, and challenges point to it (P-1, P-4)', async () => {
    const { options, audit } = setup();
    const app = express();
    app.use(nevertrust({ ...options, resourceMetadata: { resource: 'https://api.express.test/v1' } }));
    app.get('/v1/orders', (_req, res) => {
      res.end();
    });
    const server = await serve(app);
    try {
      const metadata = await fetch(`${server.url}/.well-known/oauth-protected-resource/v1`);
      expect(metadata.status).toBe(200);
      expect(metadata.headers.get('cache-control')).toBe('public, max-age=3600');
      expect(await metadata.json()).toMatchObject({ resource: 'https://api.express.test/v1' });
      const denied = await fetch(`${server.url}/v1/orders`);
      expect(denied.headers.get('www-authenticate')).toBe(
        'Bearer resource_metadata="https://api.express.test/.well-known/oauth-protected-resource/v1"',
      );
      await settled(audit, 1);
      expect(audit.map((event) => event.path)).toEqual(['/v1/orders']);
    } finally {
      await server.close();
    }
  });
});

describe('the policy language through requires()', () => {
  it('route parameters reach the policy: requireOwnership(userId) against sub', async () => {
    const { options, bearer } = setup();
    const app = express();
    app.use(nevertrust(options));
    const users = express.Router();
    users.get('/:userId/orders', requires(requireOwnership('userId')), (req, res) => {
      res.json({ owner: req.params.userId });
    });
    app.use('/users', users);
    const server = await serve(app);
    try {
      expect((await fetch(`${server.url}/users/user-1/orders`, { headers: bearer() })).status).toBe(200);
      expect((await fetch(`${server.url}/users/user-2/orders`, { headers: bearer() })).status).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('a marker in front of non-route middleware (static files) protects it', async () => {
    const { options, bearer } = setup();
    const app = express();
    app.use(nevertrust(options));
    app.use('/files', requires(AUTHENTICATED), (_req, res) => {
      res.send('file contents');
    });
    const server = await serve(app);
    try {
      expect((await fetch(`${server.url}/files/report.txt`)).status).toBe(401);
      const allowed = await fetch(`${server.url}/files/report.txt`, { headers: bearer() });
      expect(await allowed.text()).toBe('file contents');
    } finally {
      await server.close();
    }
  });
});
