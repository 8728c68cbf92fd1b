/**
 * @nevertrust/koa — zero-trust access-token verification for Koa 3 with @koa/router. It translates; the
 * core decides: this file turns Koa requests into facts, tells the core which route they reached, and
 * writes the core's refusals through `ctx`.
 *
 * @example
 * ```ts
 * app.use(nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] }));
 * router.get('/orders', requireScopes('orders:read'), (ctx) => { ctx.body = listOrders(ctx.state.principal); });
 * app.use(router.routes());
 * ```
 *
 * @packageDocumentation
 */
import type { DenyDecision, Guard, NevertrustOptions, Principal, Requirement } from '@nevertrust/core';
import {
  createRouteMarkers,
  declaredRequirements,
  gateOf,
  isCorsPreflight,
  openGate,
  PREFLIGHT,
  proceed,
  type RequestGate,
  type RouteInfo,
  type RouteMarkers,
  requireGate,
  resolveAdapterOptions,
  resourceMetadataResponse,
  UNMATCHED,
  watchProperty,
} from '@nevertrust/core/adapter';
import type { Context, Middleware, Next } from 'koa';
import { lookAhead } from './destination.js';

// The policy language, so that installing the adapter alone is enough. `requireScopes` and
// `requireAnyScope` are this adapter's markers (defined below); wrap any other requirement in `requires()`.
export {
  AccessDeniedError,
  AUTHENTICATED,
  and,
  ConfigError,
  formatCoverage,
  type NevertrustOptions,
  not,
  or,
  type Principal,
  PUBLIC,
  type Requirement,
  requireAddress,
  requireAnyRole,
  requireAuthentication,
  requireClaim,
  requireKind,
  requireMethod,
  requireOwnership,
  requireRoles,
  requireThat,
} from '@nevertrust/core';
export { coverage } from './coverage.js';

declare module 'koa' {
  interface DefaultState {
    /** The authenticated principal; `undefined` on a public route called without credentials. */
    readonly principal?: Principal | undefined;
  }
}

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

function routeInfo(ctx: RoutedContext): RouteInfo {
  const route = ctx._matchedRoute;
  return { routeId: typeof route === 'string' ? route : undefined, params: ctx.params };
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

const REQUEST = Symbol('nevertrust.request');
type StateOf = Record<PropertyKey, unknown> & { [REQUEST]?: unknown };

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

// Shared getter, not a closure per request (see watchProperty for why).
const PRINCIPAL: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: StateOf) {
    return gateOf(this[REQUEST])?.principal;
  },
};

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
    const metadata = resourceMetadataResponse(settings.guard, ctx.method, ctx.originalUrl);
    if (metadata) {
      ctx.status = metadata.status;
      ctx.set(metadata.headers);
      ctx.body = metadata.body;
      return;
    }
    if (gateOf(ctx.req)) return next();
    const gate = openGate(ctx.req, ctx.res, settings, ctx.originalUrl, writeDenial(ctx));
    // Not enumerable: spreading or logging `ctx.state` must not carry the raw request along.
    Object.defineProperty(ctx.state, REQUEST, { value: ctx.req, configurable: true });
    Object.defineProperty(ctx.state, 'principal', PRINCIPAL);
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

type Markers = RouteMarkers<Middleware, Context>;

const markers: Markers = createRouteMarkers({
  middleware: (requirement, what) => (ctx: RoutedContext, next: Next) =>
    proceed(requireGate(ctx.req, what).pass([requirement], routeInfo(ctx)), next),
  rawRequest: (ctx) => ctx.req,
});

/**
 * Requires every listed scope. Route middleware, or a method decorator (`@requireScopes('orders:write')`).
 *
 * @example
 * ```ts
 * router.post('/orders', requireScopes('orders:write'), createOrder);
 * ```
 */
export const requireScopes: Markers['requireScopes'] = markers.requireScopes;

/**
 * Requires at least one of the listed scopes. Route middleware or method decorator.
 *
 * @example
 * ```ts
 * router.get('/reports', requireAnyScope('reports:read', 'admin'), listReports);
 * ```
 */
export const requireAnyScope: Markers['requireAnyScope'] = markers.requireAnyScope;

/**
 * The explicit public marker: the route may be called without credentials (invalid ones are still
 * refused). Grep for `publicRoute` to list every unauthenticated route.
 *
 * @example
 * ```ts
 * router.get('/health', publicRoute(), (ctx) => { ctx.body = { ok: true }; });
 * ```
 */
export const publicRoute: Markers['publicRoute'] = markers.publicRoute;

/**
 * Any requirement of the core's policy language, as route middleware or method decorator.
 *
 * @example
 * ```ts
 * router.delete('/orders/:id', requires(requireRoles('admin')), deleteOrder);
 * ```
 */
export const requires: Markers['requires'] = markers.requires;

/**
 * The authenticated principal of a request; throws when there is none (a public route called without
 * credentials), so a handler never acts on behalf of nobody.
 *
 * @example
 * ```ts
 * router.get('/me', (ctx) => { ctx.body = { subject: getPrincipal(ctx).subject }; });
 * ```
 */
export const getPrincipal: Markers['getPrincipal'] = markers.getPrincipal;
