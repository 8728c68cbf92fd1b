/**
 * The route markers of @nevertrust/hono: every requirement builder of the core under its own name
 * (`requireScopes`, `requireRoles`, `and`, `publicRoute`, …) and `requires`, each a Hono middleware, a TC39
 * method decorator and a requirement value; `getPrincipal`; built on the core's one implementation.
 */
import { createRouteMarkers, type RouteInfo, type RouteMarkers, requireGate } from '@nevertrust/core/adapter';
import type { Context, MiddlewareHandler } from 'hono';

/** What Hono knows about the route the running handler was registered under. */
export function routeInfo(c: Context): RouteInfo {
  return { routeId: c.req.routePath, params: c.req.param() as Record<string, string> };
}

type Markers = RouteMarkers<MiddlewareHandler, Context>;

const markers: Markers = createRouteMarkers<MiddlewareHandler, Context>({
  // A refusal is already the context's response (the gate's writer put it there); nothing else runs.
  middleware: (requirement, what) => async (c, next) => {
    if (await requireGate(c, what).pass([requirement], routeInfo(c))) await next();
  },
  rawRequest: (c) => c,
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
 * app.get('/health', publicRoute(), (c) => c.json({ ok: true }));
 * ```
 */
export const publicRoute: Markers['publicRoute'] = markers.publicRoute;

/**
 * Any requirement value (a policy table entry's, one loaded from configuration), as route middleware or
 * method decorator. Markers need no wrapping: they are requirements already.
 *
 * @example
 * ```ts
 * app.get('/reports', requires(config.reportsRequirement), listReports);
 * ```
 */
export const requires: Markers['requires'] = markers.requires;

/**
 * The authenticated principal of a request — throws when there is none, so a handler never acts on
 * behalf of nobody; `getPrincipal(c, { optional: true })` returns `undefined` on a public route called
 * without credentials. `c.get('principal')` gives the same principal, typed, without throwing.
 *
 * @example
 * ```ts
 * app.get('/me', (c) => c.json({ subject: getPrincipal(c).subject }));
 * ```
 */
export const getPrincipal: Markers['getPrincipal'] = markers.getPrincipal;

// The rest of the policy language, each as route middleware, a method decorator and a requirement value at once:
// same arguments and same requirement as the core's builder of the same name (see its TSDoc there).

/** The core's `requireRoles` as a route marker. */
export const requireRoles: Markers['requireRoles'] = markers.requireRoles;
/** The core's `requireAnyRole` as a route marker. */
export const requireAnyRole: Markers['requireAnyRole'] = markers.requireAnyRole;
/** The core's `requireClaim` as a route marker. */
export const requireClaim: Markers['requireClaim'] = markers.requireClaim;
/** The core's `requireKind` as a route marker. */
export const requireKind: Markers['requireKind'] = markers.requireKind;
/** The core's `requireThat` as a route marker. */
export const requireThat: Markers['requireThat'] = markers.requireThat;
/** The core's `requireMethod` as a route marker. */
export const requireMethod: Markers['requireMethod'] = markers.requireMethod;
/** The core's `requireOwnership` as a route marker. */
export const requireOwnership: Markers['requireOwnership'] = markers.requireOwnership;
/** The core's `requireAddress` as a route marker. */
export const requireAddress: Markers['requireAddress'] = markers.requireAddress;
/** The core's `requireAuthentication` as a route marker. */
export const requireAuthentication: Markers['requireAuthentication'] = markers.requireAuthentication;
/** The core's `requireBinding` as a route marker. */
export const requireBinding: Markers['requireBinding'] = markers.requireBinding;
/** The core's `requireWorkload` as a route marker. */
export const requireWorkload: Markers['requireWorkload'] = markers.requireWorkload;
/** The core's `and` as a route marker. */
export const and: Markers['and'] = markers.and;
/** The core's `or` as a route marker. */
export const or: Markers['or'] = markers.or;
/** The core's `not` as a route marker. */
export const not: Markers['not'] = markers.not;
