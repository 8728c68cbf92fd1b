/**
 * The route markers of @nevertrust/express: every requirement builder of the core under its own name
 * (`requireScopes`, `requireRoles`, `and`, `publicRoute`, …) and `requires`, each route middleware, a TC39
 * method decorator and a requirement value; `getPrincipal`; built on the core's one implementation, and
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
 * The authenticated principal of a request — the one way a handler reaches it. Throws when there is none,
 * so a handler never acts on behalf of nobody; on a public route, `getPrincipal(req, { optional: true })`
 * returns `undefined` for a caller without credentials.
 *
 * @example
 * ```ts
 * app.get('/me', (req, res) => res.json({ subject: getPrincipal(req).subject }));
 * ```
 */
export const getPrincipal: Markers['getPrincipal'] = markers.getPrincipal;

/**
 * Requires every listed role (from the configured role claims). Route middleware, a method decorator and a requirement value; builds what the core's `requireRoles` builds.
 *
 * @example
 * ```ts
 * app.get('/admin', requireRoles('admin'), handler);
 * ```
 */
export const requireRoles: Markers['requireRoles'] = markers.requireRoles;

/**
 * Requires at least one of the listed roles. Route middleware, a method decorator and a requirement value; builds what the core's `requireAnyRole` builds.
 *
 * @example
 * ```ts
 * app.get('/support', requireAnyRole('support', 'admin'), handler);
 * ```
 */
export const requireAnyRole: Markers['requireAnyRole'] = markers.requireAnyRole;

/**
 * Requires a claim test to hold (`equals`, `oneOf`, `includes` or a custom check). Route middleware, a method decorator and a requirement value; builds what the core's `requireClaim` builds.
 *
 * @example
 * ```ts
 * app.get('/eu', requireClaim('region', { equals: 'eu' }), handler);
 * ```
 */
export const requireClaim: Markers['requireClaim'] = markers.requireClaim;

/**
 * Requires the principal to be a user or a service (client credentials). Route middleware, a method decorator and a requirement value; builds what the core's `requireKind` builds.
 *
 * @example
 * ```ts
 * app.get('/jobs', requireKind('service'), handler);
 * ```
 */
export const requireKind: Markers['requireKind'] = markers.requireKind;

/**
 * Requires a named predicate over the policy input to hold. Route middleware, a method decorator and a requirement value; builds what the core's `requireThat` builds.
 *
 * @example
 * ```ts
 * app.get('/beta', requireThat('beta tester', (input) => input.claims.beta === true), handler);
 * ```
 */
export const requireThat: Markers['requireThat'] = markers.requireThat;

/**
 * Requires the request method to be one of those listed. Route middleware, a method decorator and a requirement value; builds what the core's `requireMethod` builds.
 *
 * @example
 * ```ts
 * app.get('/orders', requireMethod('GET', 'HEAD'), handler);
 * ```
 */
export const requireMethod: Markers['requireMethod'] = markers.requireMethod;

/**
 * Requires a route parameter to equal a claim of the principal (`sub` by default). Route middleware, a method decorator and a requirement value; builds what the core's `requireOwnership` builds.
 *
 * @example
 * ```ts
 * app.get('/users/:userId', requireOwnership('userId'), handler);
 * ```
 */
export const requireOwnership: Markers['requireOwnership'] = markers.requireOwnership;

/**
 * Requires the socket peer address to be in one of the CIDR ranges. Route middleware, a method decorator and a requirement value; builds what the core's `requireAddress` builds.
 *
 * @example
 * ```ts
 * app.get('/internal', requireAddress('10.0.0.0/8'), handler);
 * ```
 */
export const requireAddress: Markers['requireAddress'] = markers.requireAddress;

/**
 * Requires an authentication strength (`acr`, `amr`, `maxAgeSeconds`); a shortfall is an RFC 9470 step-up challenge. Route middleware, a method decorator and a requirement value; builds what the core's `requireAuthentication` builds.
 *
 * @example
 * ```ts
 * app.get('/payments', requireAuthentication({ acr: ['mfa'] }), handler);
 * ```
 */
export const requireAuthentication: Markers['requireAuthentication'] = markers.requireAuthentication;

/**
 * Every requirement (or marker) must hold. Route middleware, a method decorator and a requirement value; builds what the core's `and` builds.
 *
 * @example
 * ```ts
 * app.get('/payments', and(requireScopes('payments:write'), requireRoles('payer')), handler);
 * ```
 */
export const and: Markers['and'] = markers.and;

/**
 * At least one requirement (or marker) must hold. Route middleware, a method decorator and a requirement value; builds what the core's `or` builds.
 *
 * @example
 * ```ts
 * app.get('/users/:userId', or(requireRoles('admin'), requireOwnership('userId')), handler);
 * ```
 */
export const or: Markers['or'] = markers.or;

/**
 * The requirement (or marker) must not hold. Route middleware, a method decorator and a requirement value; builds what the core's `not` builds.
 *
 * @example
 * ```ts
 * app.get('/orders', and(requireScopes('orders:read'), not(requireClaim('suspended', { equals: true }))), handler);
 * ```
 */
export const not: Markers['not'] = markers.not;
