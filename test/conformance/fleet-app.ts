/**
 * The API of the many-instances tests, on one framework: every request passes the guard, and
 * `GET /api/orders` answers the principal's subject. Shared by the in-process fleet and the one process
 * per framework fleet (`fleet-process.ts`), so both run exactly the same app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '@nevertrust/core';
import * as ex from '@nevertrust/express';
import * as fa from '@nevertrust/fastify';
import * as ko from '@nevertrust/koa';
import express from 'express';
import fastify from 'fastify';
import Koa from 'koa';
import type { Framework } from './apps.js';

/** The app as a Node request handler, and how to close it. */
export interface FleetApp {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

/**
 * Builds the app on `framework`; `instance.ran` counts the requests a handler answered.
 *
 * @example
 * ```ts
 * const app = await fleetApp('koa', guard, state);
 * createServer(app.handler).listen(0);
 * ```
 */
export async function fleetApp(
  framework: Framework,
  guard: Guard,
  instance: { ran: number },
): Promise<FleetApp> {
  if (framework === 'express') {
    const app = express();
    app.use(ex.nevertrust({ guard }));
    app.get('/api/orders', (req, res) => {
      instance.ran += 1;
      res.json({ sub: ex.getPrincipal(req).subject });
    });
    return { handler: app, close: async () => {} };
  }
  if (framework === 'koa') {
    const app = new Koa();
    app.use(ko.nevertrust({ guard }));
    app.use((ctx) => {
      instance.ran += 1;
      ctx.body = { sub: ko.getPrincipal(ctx).subject };
    });
    return { handler: app.callback(), close: async () => {} };
  }
  const app = fastify();
  await app.register(fa.nevertrust, { guard });
  app.get('/api/orders', async (request) => {
    instance.ran += 1;
    return { sub: fa.getPrincipal(request).subject };
  });
  await app.ready();
  return { handler: app.routing, close: () => app.close() };
}
