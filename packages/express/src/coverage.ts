/**
 * The coverage report of an Express app: every handler that can answer a request — each route of its
 * router tree (mounted routers included), each handler mounted at a path with `use` (GraphQL servers,
 * proxies, static files, sub-applications), and the middleware after `nevertrust()` that can answer what
 * no route took (catch-alls, 404 handlers) — with the requirements stated on it and on the way to it
 * (markers mounted with `use`), and whether it sits behind `nevertrust()` at all. The core decides what
 * covers each row (markers, the policy table, strict mode).
 */
import type { CoverageReport, Guard, Requirement } from '@nevertrust/core';
import { buildCoverage, type DeclaredRoute, requirementOf } from '@nevertrust/core/adapter';
import { type ExpressRoute, type Layer, routeRequirements, stackOf } from './destination.js';

type Middleware = ((...args: never[]) => unknown) & { readonly guard: Guard };

/** A marker mounted with `use`, and the path prefix its requirement covers. */
interface ScopedMarker {
  readonly prefix: string;
  readonly requirement: Requirement;
}

/** What the walk knows at a point of the tree. */
interface Walk {
  readonly prefix: string;
  /** Whether nevertrust() came before this point. */
  seen: boolean;
  readonly markers: ScopedMarker[];
}

function join(prefix: string, path: unknown): string {
  const text = typeof path === 'string' ? path : String(path);
  if (text === '/') return prefix === '' ? '/' : prefix;
  return `${prefix}${text}`;
}

function under(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

function markersFor(walk: Walk, path: string): Requirement[] {
  return walk.markers.filter((marker) => under(path, marker.prefix)).map((marker) => marker.requirement);
}

function collectRoute(route: ExpressRoute, walk: Walk, out: DeclaredRoute[]): void {
  const path = join(walk.prefix, route.path);
  const methods = Object.keys(route.methods).filter((name) => route.methods[name]);
  for (const name of methods) {
    if (name === 'head' && methods.includes('get')) continue;
    out.push({
      method: name === '_all' ? '*' : name.toUpperCase(),
      path,
      requirements: [...markersFor(walk, path), ...routeRequirements(route, name === '_all' ? 'get' : name)],
      protected: walk.seen,
    });
  }
}

function collect(stack: readonly Layer[], walk: Walk, middleware: Middleware, out: DeclaredRoute[]): void {
  for (const layer of stack) {
    if (layer.handle === middleware) {
      walk.seen = true;
      continue;
    }
    if (layer.route) {
      collectRoute(layer.route, walk, out);
      continue;
    }
    const mountPath = join(walk.prefix, layer.rawPath ?? '/');
    const marker = requirementOf(layer.handle);
    if (marker) {
      walk.markers.push({ prefix: mountPath, requirement: marker });
      continue;
    }
    const nested = stackOf(layer.handle);
    if (nested) {
      const prefix = mountPath === '/' ? '' : mountPath.replace(/\/$/, '');
      collect(nested, { prefix, seen: walk.seen, markers: [...walk.markers] }, middleware, out);
      continue;
    }
    const atRoot = layer.rawPath === undefined || layer.rawPath === '/';
    // Middleware at the root before nevertrust (helmet, body parsers) runs for every request by design.
    if (atRoot && !walk.seen) continue;
    const kind = atRoot ? 'fallback' : 'mount';
    const path = atRoot ? `${walk.prefix}/*` : `${mountPath}/*`;
    if (out.some((row) => row.kind === kind && row.path === path)) continue;
    out.push({ kind, method: '*', path, requirements: markersFor(walk, mountPath), protected: walk.seen });
  }
}

/**
 * The coverage report of an app protected by `middleware` (the value `nevertrust()` returned). An
 * application mounted with `app.use(path, subApp)` is one `mount` row (Express hides it behind a
 * closure); mount a `Router` to have its routes listed and looked ahead one by one.
 *
 * @example
 * ```ts
 * const auth = nevertrust(options);
 * app.use(auth);
 * // …routes…
 * console.log(formatCoverage(coverage(app, auth)));
 * ```
 */
export function coverage(app: { readonly router: unknown }, middleware: Middleware): CoverageReport {
  const routes: DeclaredRoute[] = [];
  const stack = (app.router as { stack?: readonly Layer[] } | undefined)?.stack ?? [];
  collect(stack, { prefix: '', seen: false, markers: [] }, middleware, routes);
  return buildCoverage(routes, middleware.guard.policy);
}
