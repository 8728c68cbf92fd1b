/**
 * Looking ahead through Hono's router: Hono matches every handler of a request (middleware, markers, the
 * route's handlers, sub-applications mounted with `route`) before it runs the first, in the order they
 * will run. From nevertrust's place in that list, the look-ahead reads every requirement stated by the
 * handlers still to come and the route they lead to, so the request is decided before any of them runs.
 */
import type { Requirement } from '@nevertrust/core';
import { type Destination, requirementOf, UNMATCHED } from '@nevertrust/core/adapter';
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

/** Hono's method of handlers registered with `use`, `all` or `mount`. */
const ANY_METHOD = 'ALL';

/**
 * Whether a matched handler is where the request is going rather than middleware on the way: a handler
 * of a method route (`get`, `post`, …), or one taking only the context (Hono's own convention: middleware
 * takes `(c, next)`). Markers state requirements; they are never the destination.
 */
function isEndpoint(method: string, handler: (...args: never[]) => unknown, marker: boolean): boolean {
  return method !== ANY_METHOD || (!marker && handler.length < 2);
}

/** The parameters Hono extracted for the handler at `index` (Hono keeps them per matched handler). */
function paramsAt(c: Context, index: number): Record<string, string> {
  const current = c.req.routeIndex;
  c.req.routeIndex = index;
  try {
    return c.req.param() as Record<string, string>;
  } finally {
    c.req.routeIndex = current;
  }
}

/**
 * The destination of the request `c` carries, from the handler running now (nevertrust) onwards: every
 * requirement stated on the way, in order and each once, and the route the last endpoint was registered
 * under; nothing stated means the guard's default.
 *
 * @example
 * ```ts
 * const destination = lookAhead(c);
 * await gate.pass(destination.requirements, destination);
 * ```
 */
export function lookAhead(c: Context): Destination {
  const routes = matchedRoutes(c);
  const requirements: Requirement[] = [];
  let endpoint = -1;
  for (let index = c.req.routeIndex + 1; index < routes.length; index++) {
    const route = routes[index];
    if (!route) continue;
    const requirement = requirementOf(route.handler);
    if (requirement && !requirements.includes(requirement)) requirements.push(requirement);
    if (isEndpoint(route.method, route.handler, requirement !== undefined && route.method === ANY_METHOD))
      endpoint = index;
  }
  const route = endpoint === -1 ? undefined : routes[endpoint];
  if (!route) return requirements.length === 0 ? UNMATCHED : { requirements };
  return { requirements, routeId: route.path, params: paramsAt(c, endpoint) };
}
