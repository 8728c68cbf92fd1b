/**
 * The coverage report of an Express app: every route of its router tree (mounted routers included), the
 * requirements its own handlers state, and whether it sits behind `nevertrust()` at all. The core decides
 * what covers each route (route markers, the policy table, strict mode).
 */
import {
  buildCoverage,
  type CoverageReport,
  type DeclaredRoute,
  declaredRequirements,
  type Guard,
} from '@nevertrust/core';

/** The parts of Express 5's router layers the report reads. */
interface Layer {
  readonly handle: unknown;
  readonly rawPath?: unknown;
  readonly method?: string | undefined;
  readonly route?: {
    readonly path: unknown;
    readonly stack: readonly Layer[];
    readonly methods: Record<string, boolean>;
  };
}

type Middleware = ((...args: never[]) => unknown) & { readonly guard: Guard };

function stackOf(handle: unknown): readonly Layer[] | undefined {
  const stack = (handle as { stack?: unknown } | null)?.stack;
  return typeof handle === 'function' && Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

function join(prefix: string, path: unknown): string {
  const text = typeof path === 'string' ? path : String(path);
  return text === '/' && prefix !== '' ? prefix : `${prefix}${text}`;
}

function collect(
  stack: readonly Layer[],
  prefix: string,
  middleware: Middleware,
  seen: { value: boolean },
  out: DeclaredRoute[],
): void {
  for (const layer of stack) {
    if (layer.handle === middleware) seen.value = true;
    const route = layer.route;
    if (route) {
      const methods = Object.keys(route.methods).filter((name) => route.methods[name]);
      for (const name of methods) {
        if (name === 'head' && methods.includes('get')) continue;
        const handlers = route.stack.filter(
          (entry) => !entry.method || entry.method === name || name === '_all',
        );
        out.push({
          method: name === '_all' ? '*' : name.toUpperCase(),
          path: join(prefix, route.path),
          requirements: declaredRequirements(handlers.map((entry) => entry.handle)),
          protected: seen.value,
        });
      }
      continue;
    }
    const nested = stackOf(layer.handle);
    // A mounted router sees nevertrust() when it was installed before the mount (or inside the router).
    if (nested)
      collect(nested, join(prefix, layer.rawPath ?? '/').replace(/\/$/, ''), middleware, { ...seen }, out);
  }
}

/**
 * The coverage report of an app protected by `middleware` (the value `nevertrust()` returned). Routes of
 * apps mounted with `app.use(path, subApp)` are not listed; mount routers instead.
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
  collect(stackOf(app.router) ?? [], '', middleware, { value: false }, routes);
  return buildCoverage(routes, middleware.guard.policy);
}
