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

// The rest of the policy language, each as a route hook, a method decorator and a requirement value at once:
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
