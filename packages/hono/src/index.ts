/**
 * @nevertrust/hono — zero-trust access-token verification for Hono. It translates; the core decides: the
 * middleware builds facts from Hono's web-standard `Request`, looks ahead through Hono's router to the
 * route the request reaches and the markers on the way, and returns the core's refusals as `Response`s.
 * Built on @nevertrust/fetch, so nothing here depends on Node: it runs wherever Hono runs.
 *
 * @example
 * ```ts
 * const app = new Hono<NevertrustEnv>();
 * app.use(nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] }));
 * app.get('/health', publicRoute(), (c) => c.json({ ok: true }));
 * app.get('/orders', requireScopes('orders:read'), (c) => c.json(listOrders(c.get('principal'))));
 * ```
 *
 * @packageDocumentation
 */
import {
  AccessDeniedError,
  ConfigError,
  type Guard,
  type NevertrustOptions,
  type Principal,
} from '@nevertrust/core';
import {
  type FetchConnection,
  gateOf,
  isCorsPreflight,
  openCarriedGate,
  PREFLIGHT,
  type RequestGate,
  resolveAdapterOptions,
  tlsFacts,
  toRequestFactsFromFetch,
} from '@nevertrust/core/adapter';
import { FetchExchange, serveWellKnown } from '@nevertrust/fetch';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { lookAhead } from './destination.js';

// Everything an application uses from the core, so that installing the adapter alone is enough. The
// adapter's route markers (below) take the place of the core's builders of the same names.
export * from '@nevertrust/core';
export { coverage } from './coverage.js';

/** The variables nevertrust sets on a Hono context: the principal, once the request passed. */
export interface NevertrustVariables {
  /** The authenticated principal; `undefined` on a public route called without credentials. */
  principal: Principal | undefined;
}

/** A Hono environment with nevertrust's variables, for `new Hono<NevertrustEnv>()`. */
export interface NevertrustEnv {
  Variables: NevertrustVariables;
}

/** Options of the Hono middleware: the guard's and adapters' options, and where the connection facts are. */
export type HonoNevertrustOptions = NevertrustOptions & {
  /**
   * The connection the request came on: the client's address (the peer, never a forwarded one), for the
   * audit trail and address requirements, and TLS facts for certificate-bound tokens (RFC 8705). Default:
   * both read from the socket under `@hono/node-server`, otherwise none. On other runtimes pass Hono's
   * connection info helper, e.g. `(c) => ({ remoteAddress: getConnInfo(c).remote.address })` (`hono/bun`).
   */
  readonly connection?: (c: Context) => FetchConnection;
};

/** The application-level middleware, with the guard it uses (to `ready()` or `close()` it). */
export type NevertrustMiddleware = MiddlewareHandler<NevertrustEnv> & { readonly guard: Guard };

/** The socket `@hono/node-server` passes in the environment (`c.env.incoming.socket`): peer and TLS. */
function nodeServerConnection(c: Context): FetchConnection {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined;
  const socket = env?.incoming?.socket;
  if (!socket) return {};
  const address = socket.remoteAddress;
  return {
    remoteAddress: typeof address === 'string' ? address : undefined,
    tls: tlsFacts(socket as Parameters<typeof tlsFacts>[0]),
  };
}

/** After the handlers: the allow's headers on the response, and the audit event with its status. */
function complete(c: Context, exchange: FetchExchange): void {
  const decorated = exchange.decorate(c.res);
  if (decorated !== c.res) c.res = decorated;
  exchange.finish(c.res.status);
}

/**
 * Protects every route registered after it: each needs a valid access token unless it says otherwise
 * (`publicRoute()`, `requireScopes(…)`, …), and so does every path no route matches. Throws `ConfigError`
 * at start-up when the options are wrong.
 *
 * @example
 * ```ts
 * app.use(nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] }));
 * ```
 */
export function nevertrust(options: HonoNevertrustOptions): NevertrustMiddleware {
  const { connection = nodeServerConnection, ...rest } = (options ?? {}) as HonoNevertrustOptions;
  if (typeof connection !== 'function') {
    throw new ConfigError(['connection: expected a function (c) => ({ remoteAddress, tls })']);
  }
  const settings = resolveAdapterOptions(rest as NevertrustOptions);
  const preflight = settings.preflight as MiddlewareHandler | undefined;

  /** Decides for where the request is going; runs the rest of the app only when it passed. */
  async function decide(c: Context<NevertrustEnv>, gate: RequestGate, next: Next): Promise<void> {
    const destination = lookAhead(c);
    if (!(await gate.pass(destination.requirements, destination))) return;
    c.set('principal', gate.principal);
    await next();
  }

  const middleware: MiddlewareHandler<NevertrustEnv> = async (c, next) => {
    const request = c.req.raw;
    const peer = connection(c);
    const served = serveWellKnown(settings.guard, request, peer);
    if (served) return served;
    if (gateOf(c)) return next();
    const exchange = new FetchExchange();
    const facts = toRequestFactsFromFetch(request, peer);
    // A refusal becomes the context's response, whether nevertrust or a marker further on refused.
    const gate = openCarriedGate(c, settings, facts, exchange, (decision) => {
      const refusal = exchange.write(decision);
      c.res = refusal;
      return refusal;
    });
    try {
      // A real preflight goes to the CORS middleware alone; what it passes on is decided like any request.
      if (preflight && isCorsPreflight(gate.facts)) {
        if (await gate.pass(PREFLIGHT)) {
          const answer = await preflight(c, () => decide(c, gate, next));
          if (answer) c.res = answer;
        }
      } else await decide(c, gate, next);
    } catch (error) {
      // `denials: 'error'` (or a failing marker): Hono's error handler answers; record the refusal's status.
      exchange.finish(error instanceof AccessDeniedError ? error.status : 500);
      throw error;
    }
    complete(c, exchange);
  };
  return Object.assign(middleware, { guard: settings.guard });
}

export {
  and,
  getPrincipal,
  not,
  or,
  publicRoute,
  requireAddress,
  requireAnyRole,
  requireAnyScope,
  requireAuthentication,
  requireBinding,
  requireClaim,
  requireKind,
  requireMethod,
  requireOwnership,
  requireRoles,
  requireScopes,
  requires,
  requireThat,
  requireWorkload,
} from './markers.js';
