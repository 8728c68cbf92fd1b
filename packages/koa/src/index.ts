/**
 * @nevertrust/koa — zero-trust access-token verification for Koa 3 with @koa/router. It translates; the
 * core decides: this file turns Koa requests into facts, tells the core which route they reached, and
 * writes the core's refusals through `ctx`.
 *
 * @example
 * ```ts
 * app.use(nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] }));
 * router.get('/orders', requireScopes('orders:read'), (ctx) => { ctx.body = listOrders(getPrincipal(ctx)); });
 * app.use(router.routes());
 * ```
 *
 * @packageDocumentation
 */
import type { DenyDecision, Guard, NevertrustOptions, Requirement } from '@nevertrust/core';
import {
  declaredRequirements,
  gateOf,
  isCorsPreflight,
  openGate,
  PREFLIGHT,
  proceed,
  type RequestGate,
  resolveAdapterOptions,
  resourceMetadataResponse,
  signalEndpointResponse,
  UNMATCHED,
  watchProperty,
} from '@nevertrust/core/adapter';
import type { Context, Middleware, Next } from 'koa';
import { lookAhead } from './destination.js';
import { routeInfo } from './markers.js';

// Everything an application uses from the core, so that installing the adapter alone is enough. The
// adapter's route markers (below) take the place of the core's builders of the same names.
export * from '@nevertrust/core';
export { coverage } from './coverage.js';

/** The application-level middleware, with the guard it created (to `ready()` or `close()` it). */
export type NevertrustMiddleware = Middleware & { readonly guard: Guard };

/** The parts of @koa/router's layers and context the adapter reads. */
interface RouterLayer {
  readonly methods: readonly string[];
  readonly stack: unknown[];
}
interface RoutedContext extends Context {
  matched?: RouterLayer[];
  _matchedRoute?: unknown;
  params?: Record<string, unknown>;
}

function writeDenial(ctx: Context): (decision: DenyDecision) => void {
  return (decision) => {
    ctx.status = decision.status;
    ctx.set(decision.headers);
    ctx.body = JSON.stringify(decision.body);
  };
}

const gatedLayers = new WeakSet<RouterLayer>();

/**
 * Puts a gate at the head of a route layer's own middleware, once: it runs after the router matched the
 * route and before any of its handlers, and reads the requirements the layer's handlers state.
 */
function gateLayer(layer: RouterLayer): void {
  if (gatedLayers.has(layer) || layer.methods.length === 0) return;
  gatedLayers.add(layer);
  let requirements: Requirement[] | undefined;
  // Not `async`: when the decision is immediate (a cached token) the request costs no promise here.
  const routeGate: Middleware = (ctx: RoutedContext, next) => {
    const gate = gateOf(ctx.req);
    // A router shared with an application that does not use nevertrust is that application's business.
    if (!gate) return next();
    // The layer's handlers are fixed once it serves requests: read its requirements once.
    requirements ??= declaredRequirements(layer.stack);
    return proceed(gate.pass(requirements, routeInfo(ctx)), next);
  };
  layer.stack.unshift(routeGate);
}

/** @koa/router assigns `ctx.router` once it has matched the request, before it runs the matched layers. */
const routerAssignments = watchProperty<RoutedContext>('router', (ctx) => {
  for (const layer of ctx.matched ?? []) gateLayer(layer);
});

const watchedContexts = new WeakSet<object>();

/**
 * Watches `ctx.router` assignments: on the application's context prototype, once per application, so a
 * request costs no property definition; on the context itself when it has no prototype of its own.
 */
function watchRouters(ctx: Context): void {
  const prototype = Object.getPrototypeOf(ctx) as object | null;
  if (prototype === null || prototype === Object.prototype) {
    routerAssignments.install(ctx);
    return;
  }
  if (watchedContexts.has(prototype)) return;
  watchedContexts.add(prototype);
  routerAssignments.install(prototype as RoutedContext);
}

/**
 * Protects every route of the routers mounted after it: each needs a valid access token unless it says
 * otherwise. Throws `ConfigError` at start-up when the options are wrong.
 *
 * @example
 * ```ts
 * app.use(nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] }));
 * ```
 */
export function nevertrust(options: NevertrustOptions): NevertrustMiddleware {
  const settings = resolveAdapterOptions(options);
  const preflight = settings.preflight as Middleware | undefined;
  const middleware = ((ctx: Context, next: Next) => {
    const signal = signalEndpointResponse(settings.guard, ctx.req, ctx.method, ctx.originalUrl);
    if (signal) {
      return signal.then((answer) => {
        ctx.status = answer.status;
        ctx.set(answer.headers);
        ctx.body = answer.body;
      });
    }
    const metadata = resourceMetadataResponse(settings.guard, ctx.method, ctx.originalUrl);
    if (metadata) {
      ctx.status = metadata.status;
      ctx.set(metadata.headers);
      ctx.body = metadata.body;
      return;
    }
    if (gateOf(ctx.req)) return next();
    const gate = openGate(ctx.req, ctx.res, settings, ctx.originalUrl, writeDenial(ctx));
    watchRouters(ctx);
    // A real preflight goes to the CORS middleware alone; what it passes on is decided like any request.
    if (preflight && isCorsPreflight(gate.facts)) {
      return proceed(gate.pass(PREFLIGHT), () => preflight(ctx, async () => decide(ctx, gate, next)));
    }
    return decide(ctx, gate, next);
    // Not `async`: an immediate decision (a cached token) costs no promise; koa-compose accepts a value.
  }) as Middleware;

  /** Decides the request for where it is going, looked ahead from this middleware's place in the app. */
  function decide(ctx: Context, gate: RequestGate, next: Next): unknown {
    const stack = ctx.app.middleware as unknown[];
    const from = stack.indexOf(middleware);
    const destination =
      from === -1
        ? UNMATCHED
        : lookAhead(stack, from + 1, { method: ctx.method, path: ctx.path, host: ctx.host });
    return proceed(gate.pass(destination.requirements, destination), next);
  }
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
