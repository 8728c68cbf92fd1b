/**
 * The route markers every adapter exports under the same names as the core's requirement builders
 * (`requireScopes`, `requireRoles`, `and`, `publicRoute`, …, plus `requires` and `getPrincipal`). Each marker
 * builds exactly the requirement the core's builder of that name builds, enforces it as the framework's
 * middleware or hook, works as a method decorator, and carries the requirement, so it is accepted wherever
 * a requirement is. `require*` thus means one thing in every package: it builds a check. The markers are
 * built here from the adapter's own middleware, so how each is made and how a handler reaches its
 * principal are one implementation for every framework (design §2).
 */
import { NevertrustError } from '../model/errors.js';
import type { Principal } from '../model/principal.js';
import {
  and,
  assertRequirement,
  not,
  or,
  publicRoute,
  type Requirement,
  type RequirementLike,
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
  requireThat,
  requireWorkload,
} from '../policy/requirements.js';
import { gateOf, requirePrincipal } from './gate-lookup.js';
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

// The core's builders an adapter turns into markers, by the name each keeps.
const BUILDERS = {
  requireScopes,
  requireAnyScope,
  requireRoles,
  requireAnyRole,
  requireClaim,
  requireKind,
  requireThat,
  requireMethod,
  requireOwnership,
  requireAddress,
  requireAuthentication,
  requireBinding,
  requireWorkload,
  and,
  or,
  not,
  publicRoute,
} as const;

type Builders = typeof BUILDERS;

/** Each builder of the core as a marker builder: same arguments, same requirement, usable on a route. */
export type MarkerBuilders<Middleware> = {
  readonly [Name in keyof Builders]: (...args: Parameters<Builders[Name]>) => RouteMarker<Middleware>;
};

/** Options of `getPrincipal`. */
export interface PrincipalLookup {
  /** On a public route: `undefined` instead of throwing when the caller sent no credentials. */
  readonly optional: true;
}

/** The markers and principal accessor an adapter exports; each marker is also a method decorator. */
export interface RouteMarkers<Middleware, Request> extends MarkerBuilders<Middleware> {
  /** Any requirement of the policy language (or a marker), checked when the marker is made. */
  readonly requires: (requirement: RequirementLike) => RouteMarker<Middleware>;
  /**
   * The request's authenticated principal — the one way a handler reaches it. Throws when there is none,
   * so a handler never acts for nobody; with `{ optional: true }` (public routes) it returns `undefined`.
   */
  readonly getPrincipal: {
    (request: Request): Principal;
    (request: Request, lookup: PrincipalLookup): Principal | undefined;
  };
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
  const builders = Object.fromEntries(
    Object.entries(BUILDERS).map(([name, build]) => [
      name,
      (...args: unknown[]) => marker((build as (...a: unknown[]) => Requirement)(...args), `${name}()`),
    ]),
  ) as unknown as MarkerBuilders<Middleware>;
  function getPrincipal(request: Request): Principal;
  function getPrincipal(request: Request, lookup: PrincipalLookup): Principal | undefined;
  function getPrincipal(request: Request, lookup?: PrincipalLookup): Principal | undefined {
    const raw = adapter.rawRequest(request);
    if (!lookup?.optional) return requirePrincipal(raw);
    // Optional means "maybe anonymous", never "maybe unguarded": a request nevertrust did not see throws.
    const gate = gateOf(raw);
    if (!gate)
      throw new NevertrustError('ERR_INTERNAL', 'getPrincipal(): nevertrust() did not see this request');
    return gate.principal;
  }
  return {
    ...builders,
    requires: (requirement) => marker(assertRequirement(requirement, 'requires()'), 'requires()'),
    getPrincipal,
  };
}
