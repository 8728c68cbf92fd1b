/**
 * The conformance API on the web-standard adapters: on Hono, built the way a user would (markers, a
 * decorated handler, a sub-application, handlers mounted with `use`, static files, CORS, a not-found
 * handler), and as a plain fetch handler that routes by itself and calls `protect`. In process, the
 * transport hands the client address in the environment; over sockets, @hono/node-server serves the app
 * and its default (the socket peer) applies.
 */
import { getRequestListener } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import type { NevertrustOptions } from '@nevertrust/core';
import * as fe from '@nevertrust/fetch';
import * as ho from '@nevertrust/hono';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { BuiltApp, Controllers } from './apps.js';
import { CORS_ORIGIN, STATIC_ROOT } from './apps.js';
import type { RanRecorder } from './controllers.js';
import { matchRoute } from './targets.js';
import type { Transport } from './transport.js';

/** The environment the in-process transport passes: the address the client "connected" from. */
export interface InProcessEnv {
  readonly clientAddress?: string;
}

/** The socket peer @hono/node-server passes, or the in-process transport's address. */
function addressOf(env: unknown): string | undefined {
  const given = env as (InProcessEnv & { incoming?: { socket?: { remoteAddress?: string } } }) | undefined;
  return given?.clientAddress ?? given?.incoming?.socket?.remoteAddress;
}

function served(fetch: (request: Request, env?: unknown) => Response | Promise<Response>): BuiltApp {
  return {
    handler: getRequestListener(fetch),
    fetch: async (request, env) => fetch(request, env),
    close: async () => {},
  };
}

export function buildHono(
  options: NevertrustOptions,
  ran: RanRecorder,
  controllers: Controllers,
  transport: Transport | undefined,
): BuiltApp {
  const reply = (c: Context) => {
    ran(c.req.header('x-case'));
    return c.json({ subject: ho.getPrincipal(c, { optional: true })?.subject ?? null });
  };
  const touch: MiddlewareHandler = async (c, next) => {
    ran(c.req.header('x-case'));
    await next();
  };
  const noStore: MiddlewareHandler = async (c, next) => {
    await next();
    c.res.headers.set('cache-control', 'no-store');
  };
  const app = new Hono<ho.NevertrustEnv>();
  app.use(
    ho.nevertrust({
      ...options,
      preflight: cors({ origin: CORS_ORIGIN }),
      // In process there is no socket: the transport names the address, as a runtime's helper would.
      ...(transport === 'inject'
        ? { connection: (c: Context) => ({ remoteAddress: addressOf(c.env) }) }
        : {}),
    }),
  );
  app.get('/health', ho.publicRoute(), reply);
  const api = new Hono();
  api.use('*', touch);
  api.get('/status', ho.publicRoute(), reply);
  api.get('/me', reply);
  api.get('/orders', ho.requireScopes('orders:read'), reply);
  api.post('/orders', ho.requireScopes('orders:write'), reply);
  api.get('/orders/:id', ho.requireScopes('orders:read'), reply);
  api.delete('/orders/:id', controllers.hono.remove);
  api.get('/reports', ho.requireAnyScope('reports:read', 'admin'), reply);
  app.route('/api', api);
  // Handlers mounted with `use`: a GraphQL-style endpoint, a proxy, static files; a sub-application.
  // Taking only the context, they are endpoints in Hono's convention (middleware takes `next` too).
  const mountedReply = async (c: Context) => reply(c);
  app.use('/graphql', mountedReply);
  app.use('/proxy/*', mountedReply);
  app.use(
    '/static/*',
    touch,
    noStore,
    serveStatic({ root: STATIC_ROOT, rewriteRequestPath: (path) => path.replace(/^\/static/, '') }),
  );
  const admin = new Hono();
  admin.get('/stats', reply);
  app.route('/admin', admin);
  app.notFound((c) => {
    ran(c.req.header('x-case'));
    return c.json({ error: 'not_found' }, 404);
  });
  return served(app.fetch);
}

/** A plain fetch handler: its own route lookup, `serve` first, then `protect` with the route's requirement. */
export function buildFetch(options: NevertrustOptions, ran: RanRecorder): BuiltApp {
  const auth = fe.nevertrust({ ...(options as fe.FetchOptions), preflight: true });
  return served(async (request, env) => {
    const remoteAddress = addressOf(env);
    const answer = auth.serve(request, { remoteAddress });
    if (answer) return answer;
    const url = new URL(request.url);
    const matched = matchRoute(request.method, url.pathname);
    const result = await auth.protect(request, matched?.route.requirement, {
      remoteAddress,
      routeId: matched?.route.template,
      params: matched?.params,
    });
    if (result instanceof Response) return result;
    ran(request.headers.get('x-case') ?? undefined);
    const subject = result.principal?.subject ?? null;
    if (!matched) return result.complete(Response.json({ error: 'not_found' }, { status: 404 }));
    const body = request.method === 'DELETE' ? { deleted: matched.params.id, subject } : { subject };
    return result.complete(Response.json(body));
  });
}
