/**
 * The route markers every adapter exports under the same names (`requireScopes`, `requireAnyScope`,
 * `publicRoute`, `requires`, `getPrincipal`). They are built here from the adapter's own middleware, so
 * the requirement each marker states, how its arguments are checked and how a handler reaches its
 * principal are one implementation for every framework (design §2); an adapter only says how its
 * framework runs a middleware and where the raw Node request sits.
 */
import type { Principal } from '../model/principal.js';
import {
  assertRequirement,
  PUBLIC,
  type Requirement,
  requireAnyScope,
  requireScopes,
} from '../policy/requirements.js';
import { requirePrincipal } from './gate-lookup.js';
import { createRouteMarker, type RouteMarker } from './route-requirements.js';

/** What an adapter supplies to {@link createRouteMarkers}. */
export interface RouteMarkerAdapter<Middleware, Request> {
  /**
   * The framework middleware (or hook) that enforces `requirement` on the request it runs for; `what`
   * names the marker in the error thrown when `nevertrust` is not installed in front of it.
   */
  readonly middleware: (requirement: Requirement, what: string) => Middleware;
  /** The raw Node request behind the framework's request object (where the gate is kept). */
  readonly rawRequest: (request: Request) => unknown;
}

/** The markers and principal accessor an adapter exports; each marker is also a method decorator. */
export interface RouteMarkers<Middleware, Request> {
  /** Requires every listed scope. */
  readonly requireScopes: (...scopes: string[]) => RouteMarker<Middleware>;
  /** Requires at least one of the listed scopes. */
  readonly requireAnyScope: (...scopes: string[]) => RouteMarker<Middleware>;
  /** The explicit public marker: no credentials needed, invalid ones still refused. */
  readonly publicRoute: () => RouteMarker<Middleware>;
  /** Any requirement of the policy language, checked when the marker is made. */
  readonly requires: (requirement: Requirement) => RouteMarker<Middleware>;
  /** The request's authenticated principal; throws when there is none, so a handler never acts for nobody. */
  readonly getPrincipal: (request: Request) => Principal;
}

/**
 * Builds an adapter's route markers from its framework middleware.
 *
 * @example
 * ```ts
 * const markers = createRouteMarkers<RequestHandler, Request>({
 *   middleware: (requirement, what) => async (req, _res, next) => {
 *     if (await requireGate(req, what).pass([requirement], routeInfo(req))) next();
 *   },
 *   rawRequest: (req) => req,
 * });
 * export const requireScopes = markers.requireScopes;
 * ```
 */
export function createRouteMarkers<Middleware extends (...args: never[]) => unknown, Request>(
  adapter: RouteMarkerAdapter<Middleware, Request>,
): RouteMarkers<Middleware, Request> {
  const marker = (requirement: Requirement, what: string) =>
    createRouteMarker(requirement, adapter.middleware(requirement, what));
  return {
    requireScopes: (...scopes) => marker(requireScopes(...scopes), 'requireScopes()'),
    requireAnyScope: (...scopes) => marker(requireAnyScope(...scopes), 'requireAnyScope()'),
    publicRoute: () => marker(PUBLIC, 'publicRoute()'),
    requires: (requirement) => marker(assertRequirement(requirement, 'requires()'), 'requires()'),
    getPrincipal: (request) => requirePrincipal(adapter.rawRequest(request)),
  };
}
