/**
 * Looking ahead through an Express 5 router tree: which route or mount a request will reach, and the
 * markers it passes on the way, read with the router's own matchers before anything after nevertrust
 * runs. Express calls middleware in order and only learns a route when it reaches it, so deciding at the
 * route (as a route gate does) comes too late for `use`-mounted handlers, `param` callbacks, the 404
 * handler and the router's automatic `OPTIONS` answer; deciding here comes before all of them.
 */
import type { Requirement } from '@nevertrust/core';
import { type Destination, declaredRequirements, requirementOf, UNMATCHED } from '@nevertrust/core/adapter';
import { passesThrough, routePassesThrough } from './pass-through.js';

/** The parts of Express 5's (router 2) layers and routes the look-ahead reads. */
export interface ExpressRoute {
  readonly path: unknown;
  readonly stack: readonly { readonly handle: unknown; readonly method: string | undefined }[];
  readonly methods: Readonly<Record<string, boolean>>;
  _handlesMethod(method: string): boolean;
}
export interface Layer {
  readonly handle: unknown;
  readonly route?: ExpressRoute | undefined;
  readonly rawPath?: unknown;
  match(path: string): { readonly params: Record<string, unknown>; readonly path: string } | false;
}

/** The layer stack of a router, or of an Express application mounted as a sub-app. */
export function stackOf(handle: unknown): readonly Layer[] | undefined {
  if (typeof handle !== 'function') return undefined;
  const own = (handle as { stack?: unknown }).stack;
  if (Array.isArray(own)) return own as Layer[];
  // A mounted Express application: its router is created lazily, so read it only when it exists.
  const app = handle as { handle?: unknown; set?: unknown; router?: { stack?: unknown } };
  const nested = typeof app.set === 'function' ? app.router?.stack : undefined;
  return Array.isArray(nested) ? (nested as Layer[]) : undefined;
}

// A route's handlers are fixed once it serves requests: read each method's requirements once.
const requirementsByRoute = new WeakMap<ExpressRoute, Map<string, Requirement[]>>();

/** The requirements the handlers of `route` state for `method` (HEAD falls back to GET, as Express does). */
export function routeRequirements(route: ExpressRoute, requestMethod: string): Requirement[] {
  let method = requestMethod.toLowerCase();
  if (method === 'head' && !route.methods.head) method = 'get';
  let byMethod = requirementsByRoute.get(route);
  if (!byMethod) {
    byMethod = new Map();
    requirementsByRoute.set(route, byMethod);
  }
  let found = byMethod.get(method);
  if (!found) {
    const handlers = route.stack.filter((layer) => !layer.method || layer.method === method);
    found = declaredRequirements(handlers.map((layer) => layer.handle));
    byMethod.set(method, found);
  }
  return found;
}

/** The path part of a request target as the router matches it (origin- or absolute-form). */
export function pathnameOf(url: string): string {
  let start = 0;
  if (url[0] !== '/') {
    const scheme = url.indexOf('://');
    start = scheme === -1 ? url.length : url.indexOf('/', scheme + 3);
    if (start === -1) return '/';
  }
  const query = url.indexOf('?', start);
  return url.slice(start, query === -1 ? url.length : query);
}

/** A mount's declared pattern (a low-cardinality label), without the trailing slash of `/`. */
function mountPattern(layer: Layer, matched: string): string {
  const pattern = typeof layer.rawPath === 'string' ? layer.rawPath : matched;
  return pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
}

/** Where the look-ahead stands in the router tree. */
export interface Lookout {
  /** The path as the router at this level matches it. */
  readonly path: string;
  /** The mount patterns above this level, joined: the prefix of every route label here. */
  readonly base: string;
  /** The markers passed on the way here. */
  readonly stated: readonly Requirement[];
  /** The parameters the mounts above captured (`/users/:uid`), for ownership rules below them. */
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * Walks `stack` from `from` the way the router will: the first route handling the method is the
 * destination; a router is entered with the mount path removed; a marker mounted with `use` adds its
 * requirement; any other handler mounted at a path is itself the destination (a GraphQL server, a proxy,
 * static files, a sub-application), while one mounted at the root passes requests on (body parsers,
 * loggers). `skip` is nevertrust's own middleware.
 */
export function lookAhead(
  stack: readonly Layer[],
  from: number,
  method: string,
  at: Lookout,
  skip: unknown,
): Destination | undefined {
  let stated = at.stated;
  for (let index = from; index < stack.length; index++) {
    const layer = stack[index] as Layer;
    let match: ReturnType<Layer['match']>;
    try {
      match = layer.match(at.path);
    } catch {
      // A parameter the router cannot decode: Express answers with an error, so nothing is reached.
      return UNMATCHED;
    }
    if (!match) continue;
    const params = Object.keys(at.params).length === 0 ? match.params : { ...at.params, ...match.params };
    const route = layer.route;
    if (route) {
      if (!route._handlesMethod(method) || routePassesThrough(route)) continue;
      const own = routeRequirements(route, method);
      const requirements = stated.length === 0 ? own : [...stated, ...own];
      return { requirements, routeId: `${at.base}${String(route.path)}`, params };
    }
    const handle = layer.handle;
    if (handle === skip || passesThrough(handle)) continue;
    const marker = requirementOf(handle);
    if (marker) {
      stated = [...stated, marker];
      continue;
    }
    const base = `${at.base}${mountPattern(layer, match.path)}`;
    const nested = stackOf(handle);
    if (nested) {
      const rest = at.path.slice(match.path.length);
      const path = rest[0] === '/' ? rest : `/${rest}`;
      const inner = lookAhead(nested, 0, method, { path, base, stated, params }, skip);
      if (inner) return inner;
      continue;
    }
    if (match.path === '' || match.path === '/') continue;
    return { requirements: stated, routeId: base, params };
  }
  return undefined;
}

/** Where a middleware sits: the stack that holds it and its index there. */
export interface Position {
  readonly stack: readonly Layer[];
  readonly index: number;
}

/** Finds the layer of `handle` in a router tree (depth first), to look ahead from there. */
export function locate(stack: readonly Layer[] | undefined, handle: unknown): Position | undefined {
  if (!stack) return undefined;
  for (let index = 0; index < stack.length; index++) {
    const layer = stack[index] as Layer;
    if (layer.handle === handle) return { stack, index };
    const nested = layer.route ? undefined : locate(stackOf(layer.handle), handle);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * The path the router holding `layer` matches against, and its base URL: the request's remaining path
 * with the part `layer` itself consumed (when it was mounted at a path) put back.
 */
export function routerPathAt(
  layer: Layer,
  url: string,
  baseUrl: string,
): { readonly path: string; readonly base: string } {
  const rest = pathnameOf(url);
  for (let cut = 0; cut < baseUrl.length; cut++) {
    if (baseUrl[cut] !== '/') continue;
    const consumed = baseUrl.slice(cut);
    const match = layer.match(`${consumed}${rest}`);
    if (match && match.path === consumed) return { path: `${consumed}${rest}`, base: baseUrl.slice(0, cut) };
  }
  return { path: rest, base: baseUrl };
}
