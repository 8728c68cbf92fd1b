/**
 * The coverage report of a Koa app: every route of the @koa/router routers it uses, the requirements the
 * routes' own middleware state, and whether each router is mounted after `nevertrust()` at all. The core
 * decides what covers each route (route markers, the policy table, strict mode).
 */
import {
  buildCoverage,
  type CoverageReport,
  type DeclaredRoute,
  declaredRequirements,
  type Guard,
} from '@nevertrust/core';

/** The parts of @koa/router's layers the report reads. */
interface RouterLayer {
  readonly path: unknown;
  readonly methods: readonly string[];
  readonly stack: readonly unknown[];
}

type Middleware = ((...args: never[]) => unknown) & { readonly guard?: Guard; readonly router?: unknown };

function layersOf(middleware: Middleware): readonly RouterLayer[] {
  const stack = (middleware.router as { stack?: unknown } | undefined)?.stack;
  return Array.isArray(stack) ? (stack as RouterLayer[]) : [];
}

/**
 * The coverage report of an app: routes of routers mounted with `app.use(router.routes())`. `middleware`
 * is the value `nevertrust()` returned; routers mounted before it are reported as not protected.
 *
 * @example
 * ```ts
 * const auth = nevertrust(options);
 * app.use(auth);
 * app.use(router.routes());
 * console.log(formatCoverage(coverage(app, auth)));
 * ```
 */
export function coverage(
  app: { readonly middleware: readonly unknown[] },
  middleware: Middleware & { readonly guard: Guard },
): CoverageReport {
  const routes: DeclaredRoute[] = [];
  const stack = app.middleware as readonly Middleware[];
  const position = stack.indexOf(middleware);
  stack.forEach((entry, index) => {
    for (const layer of layersOf(entry)) {
      // Layers without methods are the router's own `use()` middleware, not routes.
      for (const method of layer.methods) {
        if (method === 'HEAD' && layer.methods.includes('GET')) continue;
        routes.push({
          method,
          path: String(layer.path),
          requirements: declaredRequirements(layer.stack),
          protected: position !== -1 && index > position,
        });
      }
    }
  });
  return buildCoverage(routes, middleware.guard.policy);
}
