/**
 * @nevertrust/express — zero-trust access-token verification for Express 5. It translates; the core
 * decides: this file turns Express requests into facts, tells the core which route they reached, and
 * writes the core's refusals with Express's own response API.
 *
 * @example
 * ```ts
 * app.use(nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] }));
 * app.get('/health', publicRoute(), (req, res) => res.json({ ok: true }));
 * app.get('/orders', requireScopes('orders:read'), (req, res) => res.json(listOrders(getPrincipal(req))));
 * ```
 *
 * @packageDocumentation
 */
import type { DenyDecision, Guard, NevertrustOptions } from '@nevertrust/core';
import {
  type Destination,
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
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  type ExpressRoute,
  type Layer,
  locate,
  lookAhead,
  type Position,
  routeRequirements,
  routerPathAt,
  stackOf,
} from './destination.js';
import { routeInfo } from './markers.js';
import { passThrough, routePassesThrough } from './pass-through.js';

// Everything an application uses from the core, so that installing the adapter alone is enough. The
// adapter's route markers (below) take the place of the core's builders of the same names.
export * from '@nevertrust/core';
export { coverage } from './coverage.js';
export { passThrough } from './pass-through.js';

/** The application-level middleware, with the guard it created (to `ready()` or `close()` it). */
export type NevertrustMiddleware = RequestHandler & { readonly guard: Guard };

function isRoute(value: unknown): value is ExpressRoute {
  return typeof value === 'object' && value !== null && Array.isArray((value as ExpressRoute).stack);
}

function writeDenial(res: Response): (decision: DenyDecision) => void {
  return (decision) => {
    res.status(decision.status).set(decision.headers).send(JSON.stringify(decision.body));
  };
}

/**
 * Runs first in every route the request reaches, before any of the route's handlers: a second line behind
 * the look-ahead, for a request that reaches another route than the one foreseen (`next('route')`).
 */
function routeGate(req: Request, _res: Response, next: NextFunction): unknown {
  const gate = gateOf(req);
  // A route shared with an application that does not use nevertrust is that application's business;
  // middleware registered as a route was decided with the route after it.
  if (!gate || routePassesThrough(req.route as ExpressRoute)) return next();
  // Not `async`: when the decision is immediate (a cached token) the request costs no promise here.
  // Express passes a synchronous throw or a rejection to `next(error)` (`denials: 'error'`).
  return proceed(gate.pass(routeRequirements(req.route as ExpressRoute, req.method), routeInfo(req)), next);
}

// The route gate passes requests on itself: a route of middleware marked `passThrough` stays one with
// the gate at its head.
passThrough(routeGate);

const gatedRoutes = new WeakSet<ExpressRoute>();

function gateRoute(route: ExpressRoute): void {
  const first = route.stack[0] as RouteLayer | undefined;
  if (gatedRoutes.has(route) || !first) return;
  gatedRoutes.add(route);
  // Express has no hook between choosing a route and running it; a layer of the router's own kind,
  // placed once at the head of the route, is the one point every handler of the route is behind.
  const Layer = first.constructor as new (path: string, options: object, fn: unknown) => RouteLayer;
  const layer = new Layer('/', {}, routeGate);
  layer.method = undefined;
  (route.stack as RouteLayer[]).unshift(layer);
}

interface RouteLayer {
  readonly handle: unknown;
  method: string | undefined;
}

/** Express assigns `req.route` when its router picks a route, before the route runs. */
const routeAssignments = watchProperty<Request>('route', (_req, value) => {
  if (isRoute(value)) gateRoute(value);
});

/**
 * Protects every route registered after it: each needs a valid access token unless it says otherwise.
 * Throws `ConfigError` at start-up when the options are wrong.
 *
 * @example
 * ```ts
 * app.use(nevertrust({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] }));
 * ```
 */
export function nevertrust(options: NevertrustOptions): NevertrustMiddleware {
  const settings = resolveAdapterOptions(options);
  const preflight = settings.preflight as RequestHandler | undefined;
  // Where this middleware sits, per application (one middleware may serve several apps); checked on
  // every request because layers can still be added in front of it.
  const positions = new WeakMap<object, Position>();

  /** Where the request is going, looked ahead from this middleware's own place in the router tree. */
  function destinationOf(req: Request): Destination {
    let position = positions.get(req.app);
    if (position?.stack[position.index]?.handle !== middleware) {
      position = locate(stackOf(req.app), middleware);
      if (position) positions.set(req.app, position);
    }
    if (!position) return UNMATCHED;
    const layer = position.stack[position.index] as Layer;
    const { path, base } = routerPathAt(layer, req.url, req.baseUrl);
    const at = { path, base, stated: [], params: {} };
    return lookAhead(position.stack, position.index + 1, req.method, at, middleware) ?? UNMATCHED;
  }

  const middleware: RequestHandler = (req, res, next) => {
    const signal = signalEndpointResponse(settings.guard, req, req.method, req.originalUrl);
    if (signal) {
      signal
        .then((answer) => res.status(answer.status).set(answer.headers).end(answer.body))
        // Writing a fixed answer does not fail; if the socket did, there is no one left to answer.
        .catch(() => res.destroy());
      return;
    }
    const metadata = resourceMetadataResponse(settings.guard, req.method, req.originalUrl);
    if (metadata) {
      res.status(metadata.status).set(metadata.headers).send(metadata.body);
      return;
    }
    if (gateOf(req)) return next();
    const gate = openGate(req, res, settings, req.originalUrl, writeDenial(res));
    routeAssignments.install(req);
    // A real preflight goes to the CORS middleware alone; what it passes on is decided like any request.
    if (preflight && isCorsPreflight(gate.facts)) {
      return proceed(gate.pass(PREFLIGHT), () => preflight(req, res, () => decide(req, gate, next)));
    }
    return decide(req, gate, next);
  };

  /** Decides the request for where it is going. */
  function decide(req: Request, gate: RequestGate, next: NextFunction): unknown {
    const destination = destinationOf(req);
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
