/**
 * What a Nest handler requires: the requirements its controller states and those the handler states, read
 * with Nest's `Reflector` and combined with `and`, once per (controller, handler) pair. The same object is
 * stamped on the route for the request hook and handed to the guard, so the gate recognises a requirement
 * it already decided and a route costs one evaluation.
 */
import type { Reflector } from '@nestjs/core';
import { and, ConfigError, type Requirement } from '@nevertrust/core';
import { REQUIREMENTS_METADATA } from './decorators.js';

// biome-ignore lint/complexity/noBannedTypes: Nest identifies controllers and handlers by function.
type Target = Function;

/**
 * One requirement for a list: nothing stated is `undefined` (the guard's default applies). The core
 * refuses `public` inside `and`, so a `@Public()` handler in a controller that states a requirement stops
 * start-up, named, instead of being silently protected or silently opened.
 */
function combined(requirements: readonly Requirement[], where: string): Requirement | undefined {
  if (requirements.length <= 1) return requirements[0];
  try {
    return and(...requirements);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(error.problems.map((problem) => `${where}: ${problem}`));
  }
}

/**
 * The requirement of each handler, by controller.
 *
 * @example
 * ```ts
 * const index = new RequirementIndex(new Reflector());
 * index.of(OrdersController, OrdersController.prototype.list); // requireScopes('orders:read')
 * ```
 */
export class RequirementIndex {
  readonly #reflector: Reflector;
  readonly #byController = new WeakMap<Target, Map<Target, Requirement | undefined>>();

  constructor(reflector: Reflector) {
    this.#reflector = reflector;
  }

  /** The controller's requirements, then the handler's, as one requirement (`undefined`: none stated). */
  of(controller: Target, handler: Target): Requirement | undefined {
    let byHandler = this.#byController.get(controller);
    if (!byHandler) {
      byHandler = new Map();
      this.#byController.set(controller, byHandler);
    }
    if (byHandler.has(handler)) return byHandler.get(handler);
    const stated = this.#reflector.getAll<(Requirement[] | undefined)[]>(REQUIREMENTS_METADATA, [
      controller,
      handler,
    ]);
    const where = `${controller.name}.${handler.name}`;
    const requirement = combined(
      stated.flatMap((list) => list ?? []),
      where,
    );
    byHandler.set(handler, requirement);
    return requirement;
  }
}
