/**
 * The coverage report of a Fastify app: every route registered after the plugin (Fastify announces each
 * one through `onRoute`), with the requirements it states. The core decides what covers each route
 * (route declarations, the policy table, strict mode).
 */
import type { CoverageReport, Guard } from '@nevertrust/core';
import { buildCoverage, type DeclaredRoute } from '@nevertrust/core/adapter';
import type { FastifyInstance } from 'fastify';
import { type ListedRoute, listRoutes } from './route-listing.js';

interface Registry {
  readonly app: Pick<FastifyInstance, 'printRoutes'>;
  readonly guard: Guard;
  readonly routes: DeclaredRoute[];
}

/** Fastify adds a HEAD route beside every GET route: one row says both. */
function withoutHeadTwins<T extends { readonly method: string; readonly path: string }>(
  routes: readonly T[],
): T[] {
  return routes.filter(
    (route) =>
      route.method !== 'HEAD' || !routes.some((other) => other.method === 'GET' && other.path === route.path),
  );
}

/** The registry of the scope where the plugin ran: Fastify's child scopes inherit from their parent. */
function registryOf(app: object): Registry | undefined {
  let registry: Registry | undefined;
  for (let scope: object | null = app; scope && !registry; scope = Object.getPrototypeOf(scope)) {
    registry = registries.get(scope);
  }
  return registry;
}

/**
 * The routes of `app` that `onRoute` never announced to the plugin (registered before it). Fastify
 * adds the trailing-slash twin of a prefix's root route without announcing it: that is the same route.
 */
export function unannouncedRoutes(app: object): ListedRoute[] {
  const registry = registryOf(app);
  if (!registry) return [];
  const announced = new Set(registry.routes.map((route) => `${route.method} ${route.path}`));
  return withoutHeadTwins(listRoutes(registry.app)).filter(
    ({ method, path }) =>
      !announced.has(`${method} ${path}`) &&
      !(path.endsWith('/') && announced.has(`${method} ${path.slice(0, -1)}`)),
  );
}

const registries = new WeakMap<object, Registry>();

/**
 * Starts recording the routes of `app` (the instance the plugin was registered on); returns the recorder
 * the plugin's `onRoute` hook calls.
 *
 * @example
 * ```ts
 * const record = recordRoutes(app, guard);
 * app.addHook('onRoute', (route) => record({ method: 'GET', path: route.url, requirements: [] }));
 * ```
 */
export function recordRoutes(
  app: Pick<FastifyInstance, 'printRoutes'>,
  guard: Guard,
): (route: DeclaredRoute) => void {
  const registry: Registry = { app, guard, routes: [] };
  registries.set(app, registry);
  return (route) => registry.routes.push(route);
}

/**
 * The coverage report of an app (or any of its child scopes) where the plugin is registered; call it after
 * the routes are registered, e.g. after `app.ready()`.
 *
 * @example
 * ```ts
 * await app.ready();
 * console.log(formatCoverage(coverage(app)));
 * ```
 */
export function coverage(app: object): CoverageReport {
  const registry = registryOf(app);
  if (!registry) throw new TypeError('coverage(): @nevertrust/fastify is not registered on this app');
  const unread = unannouncedRoutes(app).map((route) => ({ ...route, unread: true }));
  // The not-found handler answers whatever no route takes; it is decided like any request.
  const fallback: DeclaredRoute = { kind: 'fallback', method: '*', path: '/*', requirements: [] };
  const listed = withoutHeadTwins([...registry.routes, ...unread]);
  return buildCoverage([...listed, fallback], registry.guard.policy);
}
