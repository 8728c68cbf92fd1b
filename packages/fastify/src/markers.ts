/**
 * The route markers of @nevertrust/fastify: every requirement builder of the core under its own name
 * (`requireScopes`, `requireRoles`, `and`, `publicRoute`, …) and `requires`, each a route hook, a TC39
 * method decorator and a requirement value (so it also fits `config.nevertrust`); `getPrincipal`; built on
 * the core's one implementation.
 */
import type { Requirement } from '@nevertrust/core';
import { createRouteMarkers, type RouteInfo, type RouteMarkers, requireGate } from '@nevertrust/core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A route hook that decides the request, as Fastify runs it (`return reply` once a refusal is sent). */
export type NevertrustHook = (
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<FastifyReply | undefined>;

// `request.routeOptions` builds a dozen-field object on every read: the route hook knows its URL already.
function routeInfo(request: FastifyRequest, routeId = request.routeOptions.url): RouteInfo {
  return { routeId, params: request.params as Record<string, unknown> };
}

/** A marker's hook, usable on any route: Fastify awaits it, so it may simply be `async`. */
function gateHook(requirements: readonly Requirement[], what: string): NevertrustHook {
  return async (request, reply) => {
    if (!(await requireGate(request.raw, what).pass(requirements, routeInfo(request)))) return reply;
    return undefined;
  };
}

type Markers = RouteMarkers<NevertrustHook, FastifyRequest>;

const markers: Markers = createRouteMarkers({
  middleware: (requirement, what) => gateHook([requirement], what),
  rawRequest: (request) => request.raw,
});

/**
 * Requires every listed scope: a route hook (`preHandler: requireScopes('orders:read')`), a route's
 * `config.nevertrust`, or a method decorator (`@requireScopes('orders:write')`).
 *
 * @example
 * ```ts
 * app.post('/orders', { preHandler: requireScopes('orders:write') }, createOrder);
 * app.get('/orders', { config: { nevertrust: requireScopes('orders:read') } }, listOrders);
 * ```
 */
export const requireScopes: Markers['requireScopes'] = markers.requireScopes;

/**
 * Requires at least one of the listed scopes: a route hook, `config.nevertrust` or method decorator.
 *
 * @example
 * ```ts
 * app.get('/reports', { preHandler: requireAnyScope('reports:read', 'admin') }, listReports);
 * ```
 */
export const requireAnyScope: Markers['requireAnyScope'] = markers.requireAnyScope;

/**
 * The explicit public marker, the one spelling of a public route: the route may be called without
 * credentials; invalid ones are still refused. Grep for `publicRoute` to list every unauthenticated route.
 *
 * @example
 * ```ts
 * app.get('/health', { preHandler: publicRoute() }, async () => ({ ok: true }));
 * ```
 */
export const publicRoute: Markers['publicRoute'] = markers.publicRoute;

/**
 * Any requirement value (a policy table entry's, one loaded from configuration), as a route hook or
 * method decorator. Markers need no wrapping: they are requirements already.
 *
 * @example
 * ```ts
 * app.get('/reports', { preHandler: requires(config.reportsRequirement) }, listReports);
 * ```
 */
export const requires: Markers['requires'] = markers.requires;

/**
 * The authenticated principal of a request — the one way a handler reaches it. Throws when there is none,
 * so a handler never acts on behalf of nobody; on a public route, `getPrincipal(request, { optional: true })`
 * returns `undefined` for a caller without credentials.
 *
 * @example
 * ```ts
 * app.get('/me', async (request) => ({ subject: getPrincipal(request).subject }));
 * ```
 */
export const getPrincipal: Markers['getPrincipal'] = markers.getPrincipal;

/**
 * Requires every listed role (from the configured role claims). A route hook, a method decorator and a requirement value; builds what the core's `requireRoles` builds.
 *
 * @example
 * ```ts
 * app.get('/admin', { preHandler: requireRoles('admin') }, handler);
 * ```
 */
export const requireRoles: Markers['requireRoles'] = markers.requireRoles;

/**
 * Requires at least one of the listed roles. A route hook, a method decorator and a requirement value; builds what the core's `requireAnyRole` builds.
 *
 * @example
 * ```ts
 * app.get('/support', { preHandler: requireAnyRole('support', 'admin') }, handler);
 * ```
 */
export const requireAnyRole: Markers['requireAnyRole'] = markers.requireAnyRole;

/**
 * Requires a claim test to hold (`equals`, `oneOf`, `includes` or a custom check). A route hook, a method decorator and a requirement value; builds what the core's `requireClaim` builds.
 *
 * @example
 * ```ts
 * app.get('/eu', { preHandler: requireClaim('region', { equals: 'eu' }) }, handler);
 * ```
 */
export const requireClaim: Markers['requireClaim'] = markers.requireClaim;

/**
 * Requires the principal to be a user or a service (client credentials). A route hook, a method decorator and a requirement value; builds what the core's `requireKind` builds.
 *
 * @example
 * ```ts
 * app.get('/jobs', { preHandler: requireKind('service') }, handler);
 * ```
 */
export const requireKind: Markers['requireKind'] = markers.requireKind;

/**
 * Requires a named predicate over the policy input to hold. A route hook, a method decorator and a requirement value; builds what the core's `requireThat` builds.
 *
 * @example
 * ```ts
 * app.get('/beta', { preHandler: requireThat('beta tester', (input) => input.claims.beta === true) }, handler);
 * ```
 */
export const requireThat: Markers['requireThat'] = markers.requireThat;

/**
 * Requires the request method to be one of those listed. A route hook, a method decorator and a requirement value; builds what the core's `requireMethod` builds.
 *
 * @example
 * ```ts
 * app.get('/orders', { preHandler: requireMethod('GET', 'HEAD') }, handler);
 * ```
 */
export const requireMethod: Markers['requireMethod'] = markers.requireMethod;

/**
 * Requires a route parameter to equal a claim of the principal (`sub` by default). A route hook, a method decorator and a requirement value; builds what the core's `requireOwnership` builds.
 *
 * @example
 * ```ts
 * app.get('/users/:userId', { preHandler: requireOwnership('userId') }, handler);
 * ```
 */
export const requireOwnership: Markers['requireOwnership'] = markers.requireOwnership;

/**
 * Requires the socket peer address to be in one of the CIDR ranges. A route hook, a method decorator and a requirement value; builds what the core's `requireAddress` builds.
 *
 * @example
 * ```ts
 * app.get('/internal', { preHandler: requireAddress('10.0.0.0/8') }, handler);
 * ```
 */
export const requireAddress: Markers['requireAddress'] = markers.requireAddress;

/**
 * Requires an authentication strength (`acr`, `amr`, `maxAgeSeconds`); a shortfall is an RFC 9470 step-up challenge. A route hook, a method decorator and a requirement value; builds what the core's `requireAuthentication` builds.
 *
 * @example
 * ```ts
 * app.get('/payments', { preHandler: requireAuthentication({ acr: ['mfa'] }) }, handler);
 * ```
 */
export const requireAuthentication: Markers['requireAuthentication'] = markers.requireAuthentication;

/**
 * Every requirement (or marker) must hold. A route hook, a method decorator and a requirement value; builds what the core's `and` builds.
 *
 * @example
 * ```ts
 * app.get('/payments', { preHandler: and(requireScopes('payments:write'), requireRoles('payer')) }, handler);
 * ```
 */
export const and: Markers['and'] = markers.and;

/**
 * At least one requirement (or marker) must hold. A route hook, a method decorator and a requirement value; builds what the core's `or` builds.
 *
 * @example
 * ```ts
 * app.get('/users/:userId', { preHandler: or(requireRoles('admin'), requireOwnership('userId')) }, handler);
 * ```
 */
export const or: Markers['or'] = markers.or;

/**
 * The requirement (or marker) must not hold. A route hook, a method decorator and a requirement value; builds what the core's `not` builds.
 *
 * @example
 * ```ts
 * app.get('/orders', { preHandler: and(requireScopes('orders:read'), not(requireClaim('suspended', { equals: true }))) }, handler);
 * ```
 */
export const not: Markers['not'] = markers.not;
