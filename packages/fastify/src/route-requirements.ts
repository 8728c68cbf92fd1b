/**
 * What a Fastify route requires, read once: at registration (`onRoute`) from `config.nevertrust`, marker
 * hooks and a decorated handler, and stamped on the route's config; per request, read back from the
 * matched route, so the plugin's one application-level hook decides against the route's own requirement.
 * A requirement that does not validate fails registration (and so start-up), never a request.
 */
import type { Requirement } from '@nevertrust/core';
import {
  assertRequirement,
  type Destination,
  declaredRequirements,
  UNMATCHED,
} from '@nevertrust/core/adapter';
import type { FastifyRequest, RouteOptions } from 'fastify';

function hooksOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Everything a route states about itself: `config.nevertrust`, marker hooks and a decorated handler. */
export function routeRequirements(route: RouteOptions): Requirement[] {
  const config = (route.config as { nevertrust?: unknown } | undefined)?.nevertrust;
  const stages = [route.onRequest, route.preParsing, route.preValidation, route.preHandler];
  return statedRequirements(config, `${String(route.method)} ${route.url}`, [
    route.handler,
    ...stages.flatMap(hooksOf),
  ]);
}

/** A route's `config.nevertrust` (a requirement or a marker) followed by what its handlers state. */
function statedRequirements(config: unknown, route: string, handlers: readonly unknown[]): Requirement[] {
  const found = declaredRequirements(handlers);
  if (config === undefined) return found;
  return [assertRequirement(config, `${route} config.nevertrust`), ...found];
}

// What each route states, stamped on its config when Fastify announces it (`onRoute`), so the one
// application-level hook can read it from the matched route's context.
const STATED = Symbol('nevertrust.stated');
type StampedConfig = { [STATED]?: Requirement[]; url?: string; nevertrust?: unknown };

// Routes registered before the plugin never passed `onRoute`: their requirements are read once, from what
// the route context still shows (the declaration and a decorated handler).
const unannounced = new WeakMap<object, Requirement[]>();

function unannouncedRequirements(request: FastifyRequest, config: StampedConfig): Requirement[] {
  let found = unannounced.get(config);
  if (!found) {
    const { handler, method, url } = request.routeOptions;
    found = statedRequirements(config.nevertrust, `${String(method)} ${String(url)}`, [handler]);
    unannounced.set(config, found);
  }
  return found;
}

/** Where the request goes: Fastify has already routed it when `onRequest` runs. */
export function destinationOf(request: FastifyRequest): Destination {
  const config = request.routeOptions.config as StampedConfig | undefined;
  if (!config || config.url === undefined) return UNMATCHED;
  const requirements = config[STATED] ?? unannouncedRequirements(request, config);
  return { requirements, routeId: config.url, params: request.params as Record<string, unknown> };
}

/** Stamps what a route states on its config, where {@link destinationOf} reads it for each request. */
export function stampRequirements(route: RouteOptions, requirements: Requirement[]): void {
  route.config = { ...route.config, [STATED]: requirements } as NonNullable<typeof route.config>;
}
