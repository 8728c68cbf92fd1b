/**
 * The route markers of @nevertrust/express: `requireScopes`, `requireAnyScope`, `publicRoute`, `requires` (each
 * route middleware and a TC39 method decorator) and `getPrincipal`, built on the core's one registry, and
 * what Express tells a marker about the route it runs in.
 */
import {
  createRouteMarkers,
  proceed,
  type RouteInfo,
  type RouteMarkers,
  requireGate,
} from '@nevertrust/core/adapter';
import type { Request, RequestHandler } from 'express';
import type { ExpressRoute } from './destination.js';

/** What the framework knows about the route a request is in. */
export function routeInfo(req: Request): RouteInfo {
  const path = (req.route as ExpressRoute | undefined)?.path;
  return { routeId: typeof path === 'string' ? `${req.baseUrl}${path}` : undefined, params: req.params };
}

type Markers = RouteMarkers<RequestHandler, Request>;

const markers: Markers = createRouteMarkers({
  middleware: (requirement, what) => (req, _res, next) =>
    proceed(requireGate(req, what).pass([requirement], routeInfo(req)), next),
  rawRequest: (req) => req,
});

/**
 * Requires every listed scope. Route middleware, or a method decorator (`@requireScopes('orders:write')`).
 *
 * @example
 * ```ts
 * app.post('/orders', requireScopes('orders:write'), createOrder);
 * ```
 */
export const requireScopes: Markers['requireScopes'] = markers.requireScopes;

/**
 * Requires at least one of the listed scopes. Route middleware or method decorator.
 *
 * @example
 * ```ts
 * app.get('/reports', requireAnyScope('reports:read', 'admin'), listReports);
 * ```
 */
export const requireAnyScope: Markers['requireAnyScope'] = markers.requireAnyScope;

/**
 * The explicit public marker: the route may be called without credentials (invalid ones are still
 * refused). Grep for `publicRoute` to list every unauthenticated route.
 *
 * @example
 * ```ts
 * app.get('/health', publicRoute(), (req, res) => res.json({ ok: true }));
 * ```
 */
export const publicRoute: Markers['publicRoute'] = markers.publicRoute;

/**
 * Any requirement of the core's policy language, as route middleware or method decorator.
 *
 * @example
 * ```ts
 * app.delete('/orders/:id', requires(requireRoles('admin')), deleteOrder);
 * ```
 */
export const requires: Markers['requires'] = markers.requires;

/**
 * The authenticated principal of a request; throws when there is none (a public route called without
 * credentials), so a handler never acts on behalf of nobody.
 *
 * @example
 * ```ts
 * app.get('/me', (req, res) => res.json({ subject: getPrincipal(req).subject }));
 * ```
 */
export const getPrincipal: Markers['getPrincipal'] = markers.getPrincipal;
