/**
 * How routes state what they need, on every framework: route markers (`requireScopes(…)` used as route
 * middleware, a Fastify hook, or a TC39 method decorator). Each marker and each decorated handler carries
 * its requirement (policy/requirement-carrier.ts), so an adapter can read a route's requirement from the
 * route's own handlers before any of them runs, a decorated handler enforces its requirement wherever it
 * is mounted, and a marker is accepted wherever a requirement is.
 */
import { ConfigError, NevertrustError } from '../model/errors.js';
import type { PolicyView } from '../policy/policy-layer.js';
import {
  carriedRequirement,
  REQUIREMENT,
  type Requirement,
  type RequirementCarrier,
} from '../policy/requirements.js';
import { findGate } from './gate-lookup.js';
import { proceed } from './proceed.js';

/** Makes `carrier` state `requirement`: a marker or decorated handler, read back by {@link requirementOf}. */
function carry<T extends object>(carrier: T, requirement: Requirement): T & RequirementCarrier {
  return Object.defineProperty(carrier, REQUIREMENT, { value: requirement }) as T & RequirementCarrier;
}

/**
 * The requirement a marker or decorated handler states, if it is one.
 *
 * @example
 * ```ts
 * requirementOf(requireScopes('orders:read')); // { type: 'scopes', match: 'all', scopes: ['orders:read'] }
 * ```
 */
export function requirementOf(handler: unknown): Requirement | undefined {
  return typeof handler === 'function' ? carriedRequirement(handler) : undefined;
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

/**
 * A framework middleware or hook that is also a {@link HandlerDecorator} for the same requirement, and
 * carries that requirement, so it can be composed and put in the policy table like plain data.
 */
export type RouteMarker<Middleware> = Middleware & HandlerDecorator & RequirementCarrier;

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
  return carry(guarded, requirement);
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
  return carry(marker, requirement) as unknown as RouteMarker<Middleware>;
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
