/**
 * The conformance API, built the way a user would on each framework, using every way of stating a
 * requirement: route middleware, Fastify `config.nevertrust` and `preHandler`, and a decorated handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import fastifyCors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import koaCors from '@koa/cors';
import Router from '@koa/router';
import type { NevertrustOptions } from '@nevertrust/core';
import * as ex from '@nevertrust/express';
import * as fa from '@nevertrust/fastify';
import * as ho from '@nevertrust/hono';
import * as ko from '@nevertrust/koa';
import cors from 'cors';
import express from 'express';
import fastify from 'fastify';
import Koa from 'koa';
import mount from 'koa-mount';
import serve from 'koa-static';
import { tsImport } from 'tsx/esm/api';
import type { createControllers, RanRecorder } from './controllers.js';
import { buildFetch, buildHono } from './fetch-apps.js';
import type { Transport } from './transport.js';

/** The frameworks on Node's own request and response objects, with an adapter of their own. */
export type NodeFramework = 'express' | 'koa' | 'fastify';
export const FRAMEWORKS: readonly NodeFramework[] = ['express', 'koa', 'fastify'];
/** Nest on its two platforms (nest/, compiled with Nest's legacy decorators). */
export type NestFramework = 'nest-express' | 'nest-fastify';
export const NEST_FRAMEWORKS: readonly NestFramework[] = ['nest-express', 'nest-fastify'];
/** Every adapter target: the Node frameworks, Hono, a plain fetch handler on @nevertrust/fetch, and Nest. */
export type Framework = NodeFramework | 'hono' | 'fetch' | NestFramework;
export const ALL_FRAMEWORKS: readonly Framework[] = [...FRAMEWORKS, 'hono', 'fetch', ...NEST_FRAMEWORKS];

/** An app as a Node request handler, whatever the transport; a fetch handler too where there is one. */
export interface BuiltApp {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The web-standard handler, served in process without Node objects (`env`: the environment). */
  readonly fetch?: (request: Request, env?: unknown) => Promise<Response>;
  close(): Promise<void>;
}

export type Controllers = ReturnType<typeof createControllers>;

/** Static files served under `/static` on every framework. */
export const STATIC_ROOT = fileURLToPath(new URL('./static/', import.meta.url));
/** The one origin the CORS handling of every framework accepts. */
export const CORS_ORIGIN = 'https://app.conformance.test';

/** Loads the decorated controllers (see controllers.ts for why through tsx). */
export async function loadControllers(ran: RanRecorder): Promise<Controllers> {
  const module = (await tsImport('./controllers.ts', import.meta.url)) as {
    createControllers: typeof createControllers;
  };
  const admin = {
    express: ex.requireScopes('orders:admin'),
    koa: ko.requireScopes('orders:admin'),
    fastify: fa.requireScopes('orders:admin'),
    hono: ho.requireScopes('orders:admin'),
  };
  const principalOf = {
    express: ex.getPrincipal,
    koa: ko.getPrincipal,
    fastify: fa.getPrincipal,
    hono: ho.getPrincipal,
  };
  return module.createControllers(admin, principalOf, ran);
}

/** The Express handler every route shares, and application code that is not a route handler. */
function expressHandlers(ran: RanRecorder) {
  const reply: express.RequestHandler = (req, res) => {
    ran(req.get('x-case'));
    res.json({ subject: ex.getPrincipal(req, { optional: true })?.subject ?? null });
  };
  // Application code that is not a route handler records that it ran, like the handlers do.
  const touch: express.RequestHandler = (req, _res, next) => {
    ran(req.get('x-case'));
    next();
  };
  return { reply, touch };
}

/** What an Express app (or a Nest app on Express) mounts with `use`: a proxy, static files, a sub-app. */
export function mountExpressExtras(
  app: { use(path: string, ...handlers: unknown[]): unknown },
  ran: RanRecorder,
) {
  const { reply, touch } = expressHandlers(ran);
  // Each static-file package has its own Cache-Control default: one value for all three.
  const noStore: express.RequestHandler = (_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  };
  app.use('/proxy', reply);
  app.use('/static', touch, noStore, express.static(STATIC_ROOT, { cacheControl: false }));
  const admin = express();
  admin.get('/stats', reply);
  app.use('/admin', admin);
}

function buildExpress(options: NevertrustOptions, ran: RanRecorder, controllers: Controllers): BuiltApp {
  const { reply, touch } = expressHandlers(ran);
  const app = express();
  app.use(ex.nevertrust({ ...options, preflight: cors({ origin: CORS_ORIGIN }) }));
  app.get('/health', ex.publicRoute(), reply);
  const api = express.Router();
  api.use(touch);
  api.param('id', (req, _res, next) => {
    ran(req.get('x-case'));
    next();
  });
  api.get('/status', ex.publicRoute(), reply);
  api.get('/me', reply);
  api.get('/orders', ex.requireScopes('orders:read'), reply);
  api.post('/orders', ex.requireScopes('orders:write'), reply);
  api.get('/orders/:id', ex.requireScopes('orders:read'), reply);
  api.delete('/orders/:id', controllers.express.remove);
  api.get('/reports', ex.requireAnyScope('reports:read', 'admin'), reply);
  app.use('/api', api);
  // Handlers mounted with `use`: a GraphQL-style endpoint behind a body parser, a proxy, static files.
  app.use('/graphql', express.json(), reply);
  mountExpressExtras(app, ran);
  // The application's own catch-all 404.
  app.use((req, res) => {
    ran(req.get('x-case'));
    res.status(404).json({ error: 'not_found' });
  });
  return { handler: app, close: async () => {} };
}

function buildKoa(options: NevertrustOptions, ran: RanRecorder, controllers: Controllers): BuiltApp {
  const reply: Koa.Middleware = (ctx) => {
    ran(ctx.get('x-case'));
    ctx.body = { subject: ko.getPrincipal(ctx, { optional: true })?.subject ?? null };
  };
  const touch: Koa.Middleware = (ctx, next) => {
    ran(ctx.get('x-case'));
    return next();
  };
  const app = new Koa();
  app.use(ko.nevertrust({ ...options, preflight: koaCors({ origin: CORS_ORIGIN }) }));
  const root = new Router();
  root.get('/health', ko.publicRoute(), reply);
  const api = new Router({ prefix: '/api' });
  api.use(touch);
  api.param('id', (_id, ctx, next) => {
    ran(ctx.get('x-case'));
    return next();
  });
  api.get('/status', ko.publicRoute(), reply);
  api.get('/me', reply);
  api.get('/orders', ko.requireScopes('orders:read'), reply);
  api.post('/orders', ko.requireScopes('orders:write'), reply);
  api.get('/orders/:id', ko.requireScopes('orders:read'), reply);
  api.delete('/orders/:id', controllers.koa.remove);
  api.get('/reports', ko.requireAnyScope('reports:read', 'admin'), reply);
  app.use(root.routes());
  app.use(api.routes());
  app.use(api.allowedMethods());
  app.use(mount('/graphql', reply));
  app.use(mount('/proxy', reply));
  const files = serve(STATIC_ROOT);
  app.use(
    mount('/static', (ctx, next) => {
      ctx.set('cache-control', 'no-store');
      return touch(ctx, () => files(ctx, next));
    }),
  );
  const admin = new Koa();
  const adminRoutes = new Router();
  adminRoutes.get('/stats', reply);
  admin.use(adminRoutes.routes());
  app.use(mount('/admin', admin));
  app.use((ctx) => {
    ran(ctx.get('x-case'));
    ctx.status = 404;
    ctx.body = { error: 'not_found' };
  });
  return { handler: app.callback(), close: async () => {} };
}

async function buildFastify(
  options: NevertrustOptions,
  ran: RanRecorder,
  controllers: Controllers,
): Promise<BuiltApp> {
  const reply = async (request: fastify.FastifyRequest) => {
    ran(request.headers['x-case'] as string | undefined);
    return { subject: fa.getPrincipal(request, { optional: true })?.subject ?? null };
  };
  const app = fastify();
  await app.register(fa.nevertrust, { ...options, preflight: true });
  app.get('/health', { config: { nevertrust: fa.publicRoute() } }, reply);
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        ran(request.headers['x-case'] as string | undefined);
      });
      api.get('/status', { preHandler: fa.publicRoute() }, reply);
      api.get('/me', reply);
      api.get('/orders', { config: { nevertrust: fa.requireScopes('orders:read') } }, reply);
      api.post('/orders', { preHandler: fa.requireScopes('orders:write') }, reply);
      api.get('/orders/:id', { config: { nevertrust: fa.requireScopes('orders:read') } }, reply);
      api.delete('/orders/:id', controllers.fastify.remove);
      api.get('/reports', { config: { nevertrust: fa.requireAnyScope('reports:read', 'admin') } }, reply);
    },
    { prefix: '/api' },
  );
  // What Express and Koa mount with `use`: on Fastify these are routes and plugins.
  app.post('/graphql', reply);
  app.all('/proxy/*', reply);
  await app.register(async (files) => {
    files.addHook('onRequest', async (request, response) => {
      ran(request.headers['x-case'] as string | undefined);
      response.header('cache-control', 'no-store');
    });
    await files.register(fastifyStatic, { root: STATIC_ROOT, prefix: '/static/', cacheControl: false });
  });
  await app.register(async (admin) => admin.get('/stats', reply), { prefix: '/admin' });
  await app.register(fastifyCors, { origin: CORS_ORIGIN });
  app.setNotFoundHandler(async (request, response) => {
    ran(request.headers['x-case'] as string | undefined);
    return response.code(404).send({ error: 'not_found' });
  });
  await app.ready();
  return { handler: app.routing, close: () => app.close() };
}

// nest/ is its own TypeScript project (legacy decorators, which the rest of this suite must not use): it
// is loaded by a specifier the type checker does not follow, and checked on its own.
const NEST_APPS = './nest/apps.js';

async function buildNest(
  framework: NestFramework,
  options: NevertrustOptions,
  ran: RanRecorder,
): Promise<BuiltApp> {
  const { buildNest: build } = (await import(/* @vite-ignore */ NEST_APPS)) as {
    buildNest(
      framework: NestFramework,
      options: NevertrustOptions,
      ran: RanRecorder,
      shared: { staticRoot: string; corsOrigin: string; mountExpress: typeof mountExpressExtras },
    ): Promise<BuiltApp>;
  };
  return build(framework, options, ran, {
    staticRoot: STATIC_ROOT,
    corsOrigin: CORS_ORIGIN,
    mountExpress: mountExpressExtras,
  });
}

/** Builds the API on one framework with its own guard (`transport`: how it will be reached). */
export async function buildApp(
  framework: Framework,
  options: NevertrustOptions,
  ran: RanRecorder,
  controllers: Controllers,
  transport?: Transport,
): Promise<BuiltApp> {
  if (framework === 'hono') return buildHono(options, ran, controllers, transport);
  if (framework === 'fetch') return buildFetch(options, ran);
  if (framework === 'nest-express' || framework === 'nest-fastify') {
    return buildNest(framework, options, ran);
  }
  if (framework === 'express') return buildExpress(options, ran, controllers);
  if (framework === 'koa') return buildKoa(options, ran, controllers);
  return buildFastify(options, ran, controllers);
}
