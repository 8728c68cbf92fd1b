/**
 * The coverage report of a Hono app: every route of `app.routes` (sub-applications mounted with `route`
 * included, since Hono copies their routes in), with the requirements its markers state — markers on the
 * route itself and markers mounted with `use` on a path that covers it — and whether it is registered
 * after `nevertrust()`, where the middleware sees it. The core decides what covers each row.
 */
import type { CoverageReport, Guard, Requirement } from '@nevertrust/core';
import { buildCoverage, type DeclaredRoute, requirementOf } from '@nevertrust/core/adapter';

/** The parts of Hono's route records the report reads. */
interface HonoRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: unknown;
}

/** Whether a `use` path (`*`, `/admin/*`, `/graphql`) covers a route's path. */
function covers(usePath: string, path: string): boolean {
  if (usePath === '*' || usePath === '/*') return true;
  if (usePath.endsWith('/*')) return path === usePath.slice(0, -2) || path.startsWith(usePath.slice(0, -1));
  return usePath === path;
}

function isMiddleware(route: HonoRoute): boolean {
  return route.method === 'ALL' && typeof route.handler === 'function' && route.handler.length >= 2;
}

/**
 * The coverage report of `app`; `middleware` is the value `nevertrust()` returned. Routes registered
 * before it are reported as not protected.
 *
 * @example
 * ```ts
 * const auth = nevertrust(options);
 * app.use(auth);
 * app.get('/orders', requireScopes('orders:read'), listOrders);
 * console.log(formatCoverage(coverage(app, auth)));
 * ```
 */
export function coverage(
  app: { readonly routes: readonly HonoRoute[] },
  middleware: { readonly guard: Guard },
): CoverageReport {
  const routes = app.routes;
  const position = routes.findIndex((route) => route.handler === middleware);
  const byRoute = new Map<string, DeclaredRoute & { requirements: Requirement[] }>();
  routes.forEach((route, index) => {
    const marker = requirementOf(route.handler);
    if (route.method === 'ALL' && (marker !== undefined || isMiddleware(route))) return;
    const method = route.method === 'ALL' ? '*' : route.method;
    const key = `${method} ${route.path}`;
    let row = byRoute.get(key);
    if (!row) {
      const onTheWay = routes
        .filter((use, at) => at < index && use.method === 'ALL' && covers(use.path, route.path))
        .map((use) => requirementOf(use.handler))
        .filter((found): found is Requirement => found !== undefined);
      row = {
        method,
        path: route.path,
        requirements: [...new Set(onTheWay)],
        protected: position !== -1 && index > position,
      };
      byRoute.set(key, row);
    }
    if (marker && !row.requirements.includes(marker)) row.requirements.push(marker);
  });
  return buildCoverage([...byRoute.values()], middleware.guard.policy);
}
