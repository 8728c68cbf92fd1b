/**
 * Looking ahead through a Koa application's middleware: which @koa/router route a request will reach, and
 * the markers it passes on the way, read with the routers' own matchers before anything after nevertrust
 * runs. Koa runs middleware in order and @koa/router only composes a route's handlers when it reaches
 * them, so deciding at the route comes too late for plain `app.use` handlers, `koa-mount`ed apps, the
 * router's not-found handlers and `allowedMethods()`; deciding here comes before all of them.
 */
import type { Requirement } from '@nevertrust/core';
import { type Destination, declaredRequirements, requirementOf, UNMATCHED } from '@nevertrust/core/adapter';

/** The parts of @koa/router's routers and layers the look-ahead reads. */
interface RouterLayer {
  readonly methods: readonly string[];
  readonly path: unknown;
  readonly stack: readonly unknown[];
  captures(path: string): string[];
  params(path: string, captures: string[], existing?: Record<string, unknown>): Record<string, unknown>;
}
interface Router {
  readonly opts?: { readonly routerPath?: string; readonly exclusive?: unknown };
  match(
    path: string,
    method: string,
  ): { readonly pathAndMethod: readonly RouterLayer[]; readonly route: boolean };
  matchHost?(host: string): boolean;
}

/** What the look-ahead needs of the request. */
export interface RequestLine {
  readonly method: string;
  readonly path: string;
  readonly host: string;
}

// A layer's handlers are fixed once it serves requests: read its requirements once.
const requirementsByLayer = new WeakMap<RouterLayer, Requirement[]>();

function layerRequirements(layer: RouterLayer): Requirement[] {
  let found = requirementsByLayer.get(layer);
  if (!found) {
    found = declaredRequirements(layer.stack);
    requirementsByLayer.set(layer, found);
  }
  return found;
}

function routerOf(middleware: unknown): Router | undefined {
  const router = (middleware as { router?: Router } | null)?.router;
  return typeof router?.match === 'function' ? router : undefined;
}

/** The destination inside one router, when it has a route for the request's path and method. */
function routeIn(
  router: Router,
  request: RequestLine,
  onTheWay: readonly Requirement[],
): Destination | undefined {
  if (router.matchHost && !router.matchHost(request.host)) return undefined;
  const path = router.opts?.routerPath ?? request.path;
  const matched = router.match(path, request.method);
  if (!matched.route) return undefined;
  // Exclusive routers run one layer; the others every layer on the path (router-level `use` included).
  const layers = router.opts?.exclusive ? matched.pathAndMethod.slice(-1) : matched.pathAndMethod;
  const requirements = [...onTheWay];
  for (const layer of layers) {
    for (const requirement of layerRequirements(layer)) {
      if (!requirements.includes(requirement)) requirements.push(requirement);
    }
  }
  const route = layers.findLast((layer) => layer.methods.length > 0);
  if (!route) return undefined;
  return {
    requirements,
    routeId: typeof route.path === 'string' ? route.path : undefined,
    params: route.params(path, route.captures(path), {}),
  };
}

/**
 * Walks `middleware` from `from` the way Koa will: the first router with a route for the request is the
 * destination; a marker adds its requirement; any other middleware passes requests on, and when nothing
 * matches, the guard's default applies to whatever answers (a plain handler, a mounted app, a 404).
 */
export function lookAhead(middleware: readonly unknown[], from: number, request: RequestLine): Destination {
  let onTheWay: readonly Requirement[] = [];
  for (let index = from; index < middleware.length; index++) {
    const candidate = middleware[index];
    const router = routerOf(candidate);
    if (router) {
      const found = routeIn(router, request, onTheWay);
      if (found) return found;
      continue;
    }
    const marker = requirementOf(candidate);
    if (marker) onTheWay = [...onTheWay, marker];
  }
  return onTheWay.length === 0 ? UNMATCHED : { requirements: onTheWay };
}
