/**
 * The coverage report of a Koa app: every route of the @koa/router routers it uses, with the requirements
 * stated on the way (application-level markers, the router's own `use()` markers) and by the route's own
 * middleware, and whether each router is mounted after `nevertrust()` at all; plus one `fallback` row for
 * the middleware after `nevertrust()` that can answer what no route took (catch-alls, `koa-mount`ed apps,
 * static files), which Koa cannot see into. The core decides what covers each row.
 */
import type { CoverageReport, Guard, Requirement } from '@nevertrust/core';
import {
  buildCoverage,
  type DeclaredRoute,
  declaredRequirements,
  requirementOf,
} from '@nevertrust/core/adapter';

/** The parts of @koa/router's layers the report reads. */
interface RouterLayer {
  readonly path: unknown;
  readonly methods: readonly string[];
  readonly stack: readonly unknown[];
  match(path: string): boolean;
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
  // Markers used as application middleware cover everything after them.
  const global: Requirement[] = [];
  stack.forEach((entry, index) => {
    const behind = position !== -1 && index > position;
    const layers = layersOf(entry);
    if (layers.length === 0) {
      const marker = requirementOf(entry);
      if (marker) global.push(marker);
      // Any other middleware after nevertrust can answer what no route took (a catch-all, koa-mount).
      else if (behind && !routes.some((row) => row.kind === 'fallback')) {
        routes.push({
          kind: 'fallback',
          method: '*',
          path: '/*',
          requirements: [...global],
          protected: true,
        });
      }
      return;
    }
    // The router's own `use()` layers (no methods) run before the routes whose path they match.
    const routerLevel = layers.filter((layer) => layer.methods.length === 0);
    for (const layer of layers) {
      for (const method of layer.methods) {
        if (method === 'HEAD' && layer.methods.includes('GET')) continue;
        const path = String(layer.path);
        const onTheWay = routerLevel
          .filter((use) => use.match(path))
          .flatMap((use) => declaredRequirements(use.stack));
        routes.push({
          method,
          path,
          requirements: [...global, ...onTheWay, ...declaredRequirements(layer.stack)],
          protected: behind,
        });
      }
    }
  });
  return buildCoverage(routes, middleware.guard.policy);
}
