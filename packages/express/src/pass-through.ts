/**
 * Middleware that passes requests on, wherever it is mounted. The look-ahead takes a handler mounted at a
 * path (or a route) for the request's destination, since it may answer by itself; a framework built on
 * Express that mounts its own middleware at paths (NestJS's `MiddlewareConsumer`) marks it here, so the
 * request is decided for the route after it — before the middleware runs, as for root-mounted middleware.
 */
import type { ExpressRoute } from './destination.js';

const PASS_THROUGH = Symbol('nevertrust.passThrough');

/**
 * Marks `handler` as middleware that passes requests on (it is not a destination of its own). The mark is
 * on the function itself, wherever it is mounted.
 *
 * @example
 * ```ts
 * app.use('/orders/{*path}', passThrough(logRequests));
 * ```
 */
export function passThrough<Handler extends object>(handler: Handler): Handler {
  return Object.defineProperty(handler, PASS_THROUGH, { value: true });
}

/** Whether `handler` was marked with {@link passThrough}. */
export function passesThrough(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as { [PASS_THROUGH]?: boolean })[PASS_THROUGH] === true;
}

/** Whether every handler of a route passes requests on (middleware registered as a route). */
export function routePassesThrough(route: ExpressRoute): boolean {
  return route.stack.length > 0 && route.stack.every((layer) => passesThrough(layer.handle));
}
