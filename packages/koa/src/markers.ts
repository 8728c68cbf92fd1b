/**
 * The route markers of @nevertrust/koa: `requireScopes`, `requireAnyScope`, `publicRoute`, `requires` (each
 * route middleware and a TC39 method decorator) and `getPrincipal`, built on the core's one registry, and
 * what Koa tells a marker about the route it runs in.
 */
import {
  createRouteMarkers,
  proceed,
  type RouteInfo,
  type RouteMarkers,
  requireGate,
} from '@nevertrust/core/adapter';
import type { Context, Middleware, Next } from 'koa';

/** The parts of @koa/router's context a marker reads. */
interface RoutedContext extends Context {
  _matchedRoute?: unknown;
  params?: Record<string, unknown>;
}

/** What the framework knows about the route a request is in. */
export function routeInfo(ctx: RoutedContext): RouteInfo {
  const route = ctx._matchedRoute;
  return { routeId: typeof route === 'string' ? route : undefined, params: ctx.params };
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
