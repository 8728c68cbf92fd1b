/**
 * How routes state what they need, on every framework: route markers (`requireScopes(…)` used as route
 * middleware, a Fastify hook, or a TC39 method decorator) and route declarations written as data
 * (Fastify `config.nevertrust`). One registry maps each marker and each decorated handler to its
 * requirement, so an adapter can read a route's requirement from the route's own handlers before any of
 * them runs, and a decorated handler enforces its requirement wherever it is mounted.
 */
import { ConfigError, NevertrustError } from '../model/errors.js';
import type { PolicyView } from '../policy/policy-layer.js';
import { PUBLIC, type Requirement, requireAnyScope, requireScopes } from '../policy/requirements.js';
import { findGate } from './gate-lookup.js';
import { proceed } from './proceed.js';

const declared = new WeakMap<object, Requirement>();

/**
 * The requirement a marker or decorated handler states, if it is one.
 *
 * @example
 * ```ts
 * requirementOf(requireScopes('orders:read')); // { type: 'scopes', match: 'all', scopes: ['orders:read'] }
 * ```
 */
export function requirementOf(handler: unknown): Requirement | undefined {
  return typeof handler === 'function' ? declared.get(handler) : undefined;
}

/**
 * The requirements stated by a route's handlers, in order, each once.
 *
 * @example
 * ```ts
 * declaredRequirements(route.stack.map((layer) => layer.handle));
 * ```
 */
export function declaredRequirements(handlers: Iterable<unknown>): Requirement[] {
  const found: Requirement[] = [];
  for (const handler of handlers) {
    const requirement = requirementOf(handler);
    if (requirement && !found.includes(requirement)) found.push(requirement);
  }
  return found;
}

/**
 * A standard (TC39) method decorator. The decorated method enforces the requirement itself when the
 * route did not already decide it, so it may return a promise where the original returned a value.
 */
export type HandlerDecorator = <This, Args extends unknown[], Return>(
  method: (this: This, ...args: Args) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
) => (this: This, ...args: Args) => Return;

/** A framework middleware or hook that is also a {@link HandlerDecorator} for the same requirement. */
export type RouteMarker<Middleware> = Middleware & HandlerDecorator;

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

function isDecoratorCall(args: readonly unknown[]): args is [AnyFunction, DecoratorContext] {
  // A TC39 decorator context: no framework passes a request object with `kind` and `addInitializer`.
  const context = args[1] as { kind?: unknown; addInitializer?: unknown } | null | undefined;
  return (
    args.length === 2 &&
    typeof context === 'object' &&
    context !== null &&
    typeof context.kind === 'string' &&
    typeof context.addInitializer === 'function'
  );
}

function decorate(method: AnyFunction, context: DecoratorContext, requirement: Requirement): AnyFunction {
  const name = String(context.name);
  if (context.kind !== 'method') {
    throw new ConfigError([`@${requirement.type} on ${name}: expected a method, not a ${context.kind}`]);
  }
  const guarded = function (this: unknown, ...args: unknown[]): unknown {
    const gate = findGate(args);
    if (!gate) {
      throw new NevertrustError(
        'ERR_CONFIG',
        `${name}: decorated handler ran on a request nevertrust() did not see`,
      );
    }
    if (gate.satisfies(requirement)) return method.apply(this, args);
    // Like the route markers: on, now, when the decision could be made now (a cached token).
    return proceed(gate.pass([requirement]), () => method.apply(this, args));
  };
  declared.set(guarded, requirement);
  return guarded;
}

/**
 * Makes a route marker: `middleware` when the framework calls it with a request, a method decorator when
 * used as `@marker`. Both are registered, so adapters find the requirement on the route.
 *
 * @example
 * ```ts
 * const marker = createRouteMarker(requireScopes('orders:read'), async (req, res, next) => { … });
 * app.get('/orders', marker, handler);
 * class Orders { @marker list(req, res) { … } }
 * ```
 */
export function createRouteMarker<Middleware extends (...args: never[]) => unknown>(
  requirement: Requirement,
  middleware: Middleware,
): RouteMarker<Middleware> {
  const marker = function (this: unknown, ...args: unknown[]): unknown {
    if (isDecoratorCall(args)) return decorate(args[0], args[1], requirement);
    return (middleware as unknown as AnyFunction).apply(this, args);
  };
  declared.set(marker, requirement);
  return marker as unknown as RouteMarker<Middleware>;
}

/**
 * A route's requirement written as data, e.g. in Fastify's route `config.nevertrust`. Exactly one key.
 */
export type RouteDeclaration =
  | { readonly public: true }
  | { readonly scopes: readonly string[] }
  | { readonly anyScope: readonly string[] };

const DECLARATION_FORMS = 'expected { public: true }, { scopes: [...] } or { anyScope: [...] }';

function scopeList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError([`${where}: expected a non-empty array of scopes`]);
  }
  return value as string[];
}

/**
 * Turns a route declaration into a requirement; `undefined` stays undefined (the route states nothing).
 * Throws {@link ConfigError} naming `where` for anything else, so a typo stops start-up.
 *
 * @example
 * ```ts
 * parseRouteDeclaration({ scopes: ['orders:read'] }, 'GET /orders config.nevertrust');
 * ```
 */
export function parseRouteDeclaration(value: unknown, where: string): Requirement | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([`${where}: ${DECLARATION_FORMS}`]);
  }
  const entries = Object.entries(value);
  const [name, setting] = entries[0] ?? [];
  if (entries.length !== 1 || name === undefined) throw new ConfigError([`${where}: ${DECLARATION_FORMS}`]);
  if (name === 'public' && setting === true) return PUBLIC;
  if (name === 'scopes' || name === 'anyScope') {
    const scopes = scopeList(setting, `${where}.${name}`);
    try {
      return name === 'scopes' ? requireScopes(...scopes) : requireAnyScope(...scopes);
    } catch (error) {
      // The builders name their own argument; prefix where the declaration sits.
      if (error instanceof ConfigError)
        throw new ConfigError(error.problems.map((p) => `${where}.${name}: ${p}`));
      throw error;
    }
  }
  throw new ConfigError([`${where}.${name}: ${DECLARATION_FORMS}`]);
}

/**
 * In strict mode (`policy.strict`), why a route that states no requirement may not be registered: adapters
 * that see routes at registration (Fastify) call this so the gap stops start-up instead of refusing every
 * request later. `undefined` when the route is covered: it states a requirement, strict mode is off, or a
 * policy table entry matches each of its methods.
 *
 * @example
 * ```ts
 * const problem = undeclaredRouteProblem(guard.policy, ['GET'], '/orders', []);
 * if (problem) throw new ConfigError([problem]);
 * ```
 */
export function undeclaredRouteProblem(
  policy: PolicyView | undefined,
  methods: readonly string[],
  path: string,
  requirements: readonly Requirement[],
): string | undefined {
  // Under global dry-run the refusal is only recorded at run time, so it must not stop start-up either.
  if (!policy?.strict || policy.dryRun || requirements.length > 0) return undefined;
  if (policy.table && methods.every((method) => policy.table?.match(method, path))) return undefined;
  return `${methods.join(',')} ${path}: declares no requirement (policy.strict)`;
}
