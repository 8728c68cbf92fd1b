import { AccessDeniedError, ConfigError, createGuard, requireRoles } from '@nevertrust/core';
import fastify, { type FastifyInstance } from 'fastify';
import { tsImport } from 'tsx/esm/api';
import { describe, expect, it, vi } from 'vitest';
import { getPrincipal, nevertrust, publicRoute, requireAnyScope, requireScopes } from '../src/index.js';
import type { defineOrdersController } from './fixtures/orders-controller.js';
import { settled, setup } from './support.js';

async function loadController() {
  const module = (await tsImport('./fixtures/orders-controller.ts', import.meta.url)) as {
    defineOrdersController: typeof defineOrdersController;
  };
  return module.defineOrdersController(requireScopes('orders:write'), getPrincipal);
}

async function withApp(
  build: (app: FastifyInstance) => Promise<void>,
  run: (app: FastifyInstance) => Promise<void>,
) {
  const app = fastify();
  try {
    await build(app);
    await app.ready();
    await run(app);
  } finally {
    await app.close();
  }
}

describe('wiring', () => {
  it('register once; routes state their needs in config or a preHandler; getPrincipal(request) is typed', async () => {
    const { options, bearer, audit } = setup();
    await withApp(
      async (app) => {
        await app.register(nevertrust, options);
        app.get('/health', { config: { nevertrust: publicRoute() } }, async (request) => ({
          principal: getPrincipal(request, { optional: true }) ?? null,
        }));
        app.get('/me', async (request) => ({ subject: getPrincipal(request).subject }));
        app.get('/orders', { preHandler: requireScopes('orders:read') }, async () => []);
        app.get('/reports', { preHandler: requireAnyScope('reports:read', 'admin') }, async () => []);
      },
      async (app) => {
        expect((await app.inject({ url: '/health' })).json()).toEqual({ principal: null });
        expect((await app.inject({ url: '/me' })).statusCode).toBe(401);
        expect((await app.inject({ url: '/me', headers: bearer() })).json()).toEqual({ subject: 'user-1' });
        expect((await app.inject({ url: '/orders', headers: bearer('x') })).statusCode).toBe(403);
        expect((await app.inject({ url: '/reports', headers: bearer('admin') })).statusCode).toBe(200);
        await settled(audit, 5);
        expect(audit.map((event) => [event.route, event.status, event.requirement])).toEqual([
          ['/health', 200, 'public'],
          ['/me', 401, 'authenticated'],
          ['/me', 200, 'authenticated'],
          ['/orders', 403, 'scopes:all'],
          ['/reports', 200, 'scopes:any'],
        ]);
      },
    );
  });

  it('HEAD routes Fastify adds for GET routes hold the same requirement', async () => {
    const { options, bearer } = setup();
    await withApp(
      async (app) => {
        await app.register(nevertrust, options);
        app.get('/orders', { config: { nevertrust: requireScopes('orders:read') } }, async () => []);
      },
      async (app) => {
        expect((await app.inject({ method: 'HEAD', url: '/orders', headers: bearer('x') })).statusCode).toBe(
          403,
        );
        expect(
          (await app.inject({ method: 'HEAD', url: '/orders', headers: bearer('orders:read') })).statusCode,
        ).toBe(200);
      },
    );
  });

  it('refuses before the body is parsed or validated', async () => {
    const { options } = setup();
    const handler = vi.fn(async () => ({}));
    await withApp(
      async (app) => {
        await app.register(nevertrust, options);
        const schema = { body: { type: 'object', required: ['name'] } } as const;
        app.post('/orders', { schema, config: { nevertrust: requireScopes('orders:write') } }, handler);
      },
      async (app) => {
        const response = await app.inject({ method: 'POST', url: '/orders', payload: { wrong: true } });
        expect(response.statusCode).toBe(401);
        expect(handler).not.toHaveBeenCalled();
      },
    );
  });
});

describe('start-up validation', () => {
  it('a typo in config.nevertrust fails start-up, naming the route', async () => {
    const { options } = setup();
    const app = fastify();
    await app.register(nevertrust, options);
    expect(() =>
      app.get('/orders', { config: { nevertrust: { scope: ['orders:read'] } as never } }, async () => []),
    ).toThrow(/GET \/orders config\.nevertrust/);
    expect(() =>
      app.get(
        '/reports',
        { config: { nevertrust: { type: 'scopes', match: 'any', scopes: ['bad scope'] } } },
        async () => [],
      ),
    ).toThrow(ConfigError);
    // The data forms of earlier releases are not requirements: they fail registration, naming the route.
    expect(() =>
      app.get('/health', { config: { nevertrust: { public: true } as never } }, async () => ({})),
    ).toThrow(/GET \/health config\.nevertrust/);
    await app.close();
  });

  it('bad plugin options fail registration with ConfigError', async () => {
    const app = fastify();
    await expect(app.register(nevertrust, { issuers: [] })).rejects.toThrow(ConfigError);
    await app.close();
  });
});

describe('refusals', () => {
  it('go through reply, so onSend and onResponse hooks still run; never the error handler', async () => {
    const { options } = setup();
    const onResponse = vi.fn();
    const onError = vi.fn();
    await withApp(
      async (app) => {
        app.addHook('onSend', async (_request, reply, payload) => {
          reply.header('access-control-allow-origin', '*');
          return payload;
        });
        app.addHook('onResponse', async () => onResponse());
        app.setErrorHandler(async (error) => {
          onError(error);
          throw error;
        });
        await app.register(nevertrust, options);
        app.get('/orders', async () => []);
      },
      async (app) => {
        const response = await app.inject({ url: '/orders' });
        expect(response.statusCode).toBe(401);
        expect(response.headers['access-control-allow-origin']).toBe('*');
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.json()).toEqual({
          error: 'unauthorized',
          error_description: 'Authentication required',
        });
        expect(onResponse).toHaveBeenCalledOnce();
        expect(onError).not.toHaveBeenCalled();
      },
    );
  });

  it("with denials: 'error' reach setErrorHandler as AccessDeniedError", async () => {
    const { options, audit } = setup();
    await withApp(
      async (app) => {
        app.setErrorHandler(async (error, _request, reply) => {
          expect(error).toBeInstanceOf(AccessDeniedError);
          const denied = error as AccessDeniedError;
          return reply
            .code(denied.status)
            .headers(denied.headers)
            .header('x-handled', 'yes')
            .send(denied.body);
        });
        await app.register(nevertrust, { ...options, denials: 'error' });
        app.get('/orders', { preHandler: requireScopes('orders:read') }, async () => []);
      },
      async (app) => {
        const response = await app.inject({ url: '/orders', headers: { authorization: 'Bearer a.b.c' } });
        expect(response.statusCode).toBe(401);
        expect(response.headers['x-handled']).toBe('yes');
        await settled(audit, 1);
        expect(audit[0]).toMatchObject({ reason: 'ERR_TOKEN_MALFORMED', status: 401 });
      },
    );
  });
});

describe('guard lifecycle', () => {
  it('a guard passed in is used as is and left open; an own guard closes with the app', async () => {
    const { options, bearer } = setup();
    const guard = createGuard(options);
    const close = vi.spyOn(guard, 'close');
    await withApp(
      async (app) => {
        await app.register(nevertrust, { guard });
        app.get('/me', async (request) => ({ subject: getPrincipal(request).subject }));
      },
      async (app) => {
        expect((await app.inject({ url: '/me', headers: bearer() })).json()).toEqual({ subject: 'user-1' });
      },
    );
    expect(close).not.toHaveBeenCalled();
    await guard.close();
  });
});

describe('TC39 method decorators', () => {
  it('a decorated handler is read when the route is registered', async () => {
    const { options, bearer, audit } = setup();
    const controller = await loadController();
    await withApp(
      async (app) => {
        await app.register(nevertrust, options);
        app.post('/orders', controller.create);
      },
      async (app) => {
        expect((await app.inject({ method: 'POST', url: '/orders', headers: bearer('x') })).statusCode).toBe(
          403,
        );
        const created = await app.inject({ method: 'POST', url: '/orders', headers: bearer('orders:write') });
        expect(created.statusCode).toBe(201);
        expect(created.json()).toEqual({ createdBy: 'user-1' });
        await settled(audit, 2);
        expect(audit.map((event) => [event.route, event.requirement])).toEqual([
          ['/orders', 'scopes:all'],
          ['/orders', 'scopes:all'],
        ]);
      },
    );
  });

  it('a decorated handler behind a wrapper enforces its requirement itself', async () => {
    const { options, bearer } = setup();
    const controller = await loadController();
    await withApp(
      async (app) => {
        await app.register(nevertrust, options);
        app.post('/orders', (request, reply) => controller.create(request, reply));
      },
      async (app) => {
        expect((await app.inject({ method: 'POST', url: '/orders', headers: bearer('x') })).statusCode).toBe(
          403,
        );
        expect(
          (await app.inject({ method: 'POST', url: '/orders', headers: bearer('orders:write') })).statusCode,
        ).toBe(201);
      },
    );
  });
});

it('publicRoute() as a preHandler is the explicit public marker', async () => {
  const { options } = setup();
  await withApp(
    async (app) => {
      await app.register(nevertrust, options);
      app.get('/status', { preHandler: publicRoute() }, async () => ({ ok: true }));
    },
    async (app) => {
      expect((await app.inject({ url: '/status' })).statusCode).toBe(200);
      expect(
        (await app.inject({ url: '/status', headers: { authorization: 'Bearer x.y.z' } })).statusCode,
      ).toBe(401);
    },
  );
});

describe('policy options the adapter enforces at start-up or serves', () => {
  it('strict mode: a route that declares nothing fails start-up, naming it', async () => {
    const { options } = setup();
    const app = fastify();
    await app.register(nevertrust, { ...options, policy: { strict: true } });
    app.get('/health', { config: { nevertrust: publicRoute() } }, async () => ({}));
    expect(() => app.get('/orders', async () => [])).toThrow(/GET \/orders: declares no requirement/);
    await app.close();
  });

  it('config.nevertrust takes any requirement of the policy language', async () => {
    const { options, mint } = setup();
    await withApp(
      async (app) => {
        await app.register(nevertrust, {
          ...options,
          issuers: options.issuers.map((issuer) => ({ ...issuer, roleClaim: 'roles' })),
        });
        app.get('/admin', { config: { nevertrust: requireRoles('admin') } }, async () => ({ ok: true }));
      },
      async (app) => {
        const as = (roles: string[]) => ({ authorization: `Bearer ${mint({ claims: { roles } })}` });
        expect((await app.inject({ url: '/admin', headers: as(['user']) })).statusCode).toBe(403);
        expect((await app.inject({ url: '/admin', headers: as(['admin']) })).statusCode).toBe(200);
      },
    );
  });

  it('serves the RFC 9728 metadata document without credentials (P-1)', async () => {
    const { options } = setup();
    await withApp(
      async (app) => {
        await app.register(nevertrust, {
          ...options,
          resourceMetadata: { resource: 'https://api.fastify.test/v1' },
        });
      },
      async (app) => {
        const metadata = await app.inject({ url: '/.well-known/oauth-protected-resource/v1' });
        expect(metadata.statusCode).toBe(200);
        expect(metadata.json()).toMatchObject({ resource: 'https://api.fastify.test/v1' });
      },
    );
  });
});
