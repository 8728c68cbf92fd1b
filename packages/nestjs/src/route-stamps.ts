/**
 * Each controller handler's requirement, stamped on the handler as Reflect metadata while Nest creates the
 * application, before it registers any route. Nest copies a handler's metadata onto the function it
 * registers with the platform's router, so the platform adapter of @nevertrust/express or
 * @nevertrust/fastify finds the requirement on the route itself and decides the request before any
 * middleware, pipe, interceptor or handler of the application runs.
 */
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, type ModulesContainer } from '@nestjs/core';
import { and, type Requirement } from '@nevertrust/core';
import type { RequirementIndex } from './requirement-index.js';

/** Where the requirement of a route is stamped (on the handler and on the copy Nest registers). */
export const ROUTE_REQUIREMENT_METADATA = 'nevertrust:route-requirement';
/** `@nestjs/platform-fastify`'s key for a route's `config` (its `@RouteConfig()` decorator writes it). */
const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';

// biome-ignore lint/complexity/noBannedTypes: Nest identifies controllers and handlers by function.
type Target = Function;

/** The requirement of every route handler of every controller, by handler function. */
function handlerRequirements(modules: ModulesContainer, index: RequirementIndex): Map<Target, Requirement[]> {
  const scanner = new MetadataScanner();
  const found = new Map<Target, Requirement[]>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Target | null | undefined;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const requirement = index.of(controller, handler);
        const list = found.get(handler) ?? [];
        if (requirement && !list.includes(requirement)) list.push(requirement);
        found.set(handler, list);
      }
    }
  }
  return found;
}

/**
 * Stamps each handler's requirement (for Fastify, also in the route's `config.nevertrust`, which
 * @nevertrust/fastify reads when the route is registered). A handler inherited by several controllers
 * that state different requirements gets all of them (`and`): the request hook is then stricter than
 * needed, never looser, and the guard still checks the controller's own requirement.
 *
 * @example
 * ```ts
 * stampRoutes(modulesContainer, index, 'fastify');
 * ```
 */
export function stampRoutes(modules: ModulesContainer, index: RequirementIndex, platform: string): void {
  for (const [handler, requirements] of handlerRequirements(modules, index)) {
    if (requirements.length === 0) continue;
    const requirement = requirements.length === 1 ? (requirements[0] as Requirement) : and(...requirements);
    Reflect.defineMetadata(ROUTE_REQUIREMENT_METADATA, requirement, handler);
    if (platform !== 'fastify') continue;
    const config = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as object | undefined;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, nevertrust: requirement }, handler);
  }
}

/** The requirement stamped on a function Nest registered (`undefined`: none, or not a Nest handler). */
export function stampedRequirement(handler: unknown): Requirement | undefined {
  if (typeof handler !== 'function') return undefined;
  return Reflect.getMetadata(ROUTE_REQUIREMENT_METADATA, handler) as Requirement | undefined;
}
