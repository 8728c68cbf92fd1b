/**
 * The coverage report of a Fastify app: every route registered after the plugin (Fastify announces each
 * one through `onRoute`), with the requirements it states. The core decides what covers each route
 * (route declarations, the policy table, strict mode).
 */
import { buildCoverage, type CoverageReport, type DeclaredRoute, type Guard } from '@nevertrust/core';

interface Registry {
  readonly guard: Guard;
  readonly routes: DeclaredRoute[];
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
export function recordRoutes(app: object, guard: Guard): (route: DeclaredRoute) => void {
  const registry: Registry = { guard, routes: [] };
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
  // Fastify's child scopes inherit from their parent instance, so walk up to where the plugin ran.
  let registry: Registry | undefined;
  for (let scope: object | null = app; scope && !registry; scope = Object.getPrototypeOf(scope)) {
    registry = registries.get(scope);
  }
  if (!registry) throw new TypeError('coverage(): @nevertrust/fastify is not registered on this app');
  const { routes } = registry;
  const listed = routes.filter(
    (route) =>
      route.method !== 'HEAD' || !routes.some((other) => other.method === 'GET' && other.path === route.path),
  );
  return buildCoverage(listed, registry.guard.policy);
}
