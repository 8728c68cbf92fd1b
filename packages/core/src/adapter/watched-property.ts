/**
 * Watching a framework's own assignment of a property (Express `req.route`, @koa/router `ctx.router`): the
 * one moment an adapter learns that a route was chosen, when the framework offers no hook there.
 */

/** Watches assignments of one property name on the objects it is installed on. */
export interface PropertyWatch<T extends object> {
  /** Installs the watch on `target`, keeping its current value; later assignments are reported. */
  install(target: T): void;
}

/**
 * Creates a watch whose accessor functions are shared by every object it is installed on. A closure per
 * object would give every request object its own hidden class, which V8 links from a long-lived one, so
 * each request (socket buffers and all) would survive young-generation collections — measured at 10+ ms
 * per scavenge (measured in the benchmarks).
 *
 * @example
 * ```ts
 * const routes = watchProperty<Request>('route', (req, route) => gateRoute(route));
 * routes.install(req);
 * ```
 */
export function watchProperty<T extends object>(
  name: string,
  onAssign: (target: T, value: unknown) => void,
): PropertyWatch<T> {
  const slot = Symbol(`nevertrust.watched.${name}`);
  type Slotted = T & { [slot]?: unknown };
  const descriptor: PropertyDescriptor = {
    configurable: true,
    enumerable: true,
    get(this: Slotted) {
      return this[slot];
    },
    set(this: Slotted, value: unknown) {
      this[slot] = value;
      onAssign(this, value);
    },
  };
  return {
    install(target) {
      const current = (target as Record<string, unknown>)[name];
      Object.defineProperty(target, name, descriptor);
      (target as Slotted)[slot] = current;
    },
  };
}
