/**
 * The conformance API, built the way a user would on each framework, using every way of stating a
 * requirement: route middleware, Fastify `config.nevertrust` and `preHandler`, and a decorated handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Router from '@koa/router';
import type { NevertrustOptions } from '@nevertrust/core';
import * as ex from '@nevertrust/express';
import * as fa from '@nevertrust/fastify';
import * as ko from '@nevertrust/koa';
import express from 'express';
import fastify from 'fastify';
import Koa from 'koa';
import { tsImport } from 'tsx/esm/api';
import type { createControllers, RanRecorder } from './controllers.js';

export type Framework = 'express' | 'koa' | 'fastify';
export const FRAMEWORKS: readonly Framework[] = ['express', 'koa', 'fastify'];

/** An app as a Node request handler, whatever the transport. */
export interface BuiltApp {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

type Controllers = ReturnType<typeof createControllers>;

/** Loads the decorated controllers (see controllers.ts for why through tsx). */
export async function loadControllers(ran: RanRecorder): Promise<Controllers> {
  const module = (await tsImport('./controllers.ts', import.meta.url)) as {
    createControllers: typeof createControllers;
  };
  const admin = {
    express: ex.requireScopes('orders:admin'),
    koa: ko.requireScopes('orders:admin'),
    fastify: fa.requireScopes('orders:admin'),
  };
  return module.createControllers(admin, ran);
}

function buildExpress(options: NevertrustOptions, ran: RanRecorder, controllers: Controllers): BuiltApp {
  const reply: express.RequestHandler = (req, res) => {
    ran(req.get('x-case'));
    res.json({ subject: req.principal?.subject ?? null });
  };
  const app = express();
  app.use(ex.nevertrust(options));
  app.get('/health', ex.publicRoute(), reply);
  const api = express.Router();
  api.get('/status', ex.publicRoute(), reply);
  api.get('/me', reply);
  api.get('/orders', ex.requireScopes('orders:read'), reply);
  api.post('/orders', ex.requireScopes('orders:write'), reply);
  api.get('/orders/:id', ex.requireScopes('orders:read'), reply);
  api.delete('/orders/:id', controllers.express.remove);
  api.get('/reports', ex.requireAnyScope('reports:read', 'admin'), reply);
  app.use('/api', api);
  return { handler: app, close: async () => {} };
}

function buildKoa(options: NevertrustOptions, ran: RanRecorder, controllers: Controllers): BuiltApp {
  const reply: Koa.Middleware = (ctx) => {
    ran(ctx.get('x-case'));
    ctx.body = { subject: ctx.state.principal?.subject ?? null };
  };
  const app = new Koa();
  app.use(ko.nevertrust(options));
  const root = new Router();
  root.get('/health', ko.publicRoute(), reply);
  const api = new Router({ prefix: '/api' });
  api.get('/status', ko.publicRoute(), reply);
  api.get('/me', reply);
  api.get('/orders', ko.requireScopes('orders:read'), reply);
  api.post('/orders', ko.requireScopes('orders:write'), reply);
  api.get('/orders/:id', ko.requireScopes('orders:read'), reply);
  api.delete('/orders/:id', controllers.koa.remove);
  api.get('/reports', ko.requireAnyScope('reports:read', 'admin'), reply);
  app.use(root.routes());
  app.use(api.routes());
  return { handler: app.callback(), close: async () => {} };
}

async function buildFastify(
  options: NevertrustOptions,
  ran: RanRecorder,
  controllers: Controllers,
): Promise<BuiltApp> {
  const reply = async (request: fastify.FastifyRequest) => {
    ran(request.headers['x-case'] as string | undefined);
    return { subject: request.principal?.subject ?? null };
  };
  const app = fastify();
  await app.register(fa.nevertrust, options);
  app.get('/health', { config: { nevertrust: { public: true } } }, reply);
  await app.register(
    async (api) => {
      api.get('/status', { preHandler: fa.publicRoute() }, reply);
      api.get('/me', reply);
      api.get('/orders', { config: { nevertrust: { scopes: ['orders:read'] } } }, reply);
      api.post('/orders', { preHandler: fa.requireScopes('orders:write') }, reply);
      api.get('/orders/:id', { config: { nevertrust: { scopes: ['orders:read'] } } }, reply);
      api.delete('/orders/:id', controllers.fastify.remove);
      api.get('/reports', { config: { nevertrust: { anyScope: ['reports:read', 'admin'] } } }, reply);
    },
    { prefix: '/api' },
  );
  await app.ready();
  return { handler: app.routing, close: () => app.close() };
}

/** Builds the API on one framework with its own guard. */
export async function buildApp(
  framework: Framework,
  options: NevertrustOptions,
  ran: RanRecorder,
  controllers: Controllers,
): Promise<BuiltApp> {
  if (framework === 'express') return buildExpress(options, ran, controllers);
  if (framework === 'koa') return buildKoa(options, ran, controllers);
  return buildFastify(options, ran, controllers);
}
