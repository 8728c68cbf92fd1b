/**
 * The route policy table: method + path pattern → requirement (or the explicit `publicRoute()`), matched
 * with find-my-way (Fastify's radix router), never a hand-written matcher. With a table, anything not
 * listed is denied; two entries for the same method and pattern make start-up fail.
 *
 * Matching is deliberately broad — case-insensitive, trailing and duplicate slashes ignored, percent-
 * decoded — so a request the framework routes to a handler (Express and Koa are case-insensitive and
 * slash-tolerant by default) still finds that handler's entry. A request the table cannot parse or match
 * is denied, never let through.
 */
import { METHODS } from 'node:http';
import { createRequire } from 'node:module';
import type createRouter from 'find-my-way';
import * as z from 'zod/mini';
import { describeIssue, safeParseEnglish } from '../model/config-issues.js';
import { ConfigError } from '../model/errors.js';
import { lazySchema } from '../model/lazy-schema.js';
import type { Requirement } from './requirement.js';
import { type RequirementLike, toRequirement } from './requirement-carrier.js';
import { requirementSchema } from './requirement-schema.js';

/** One entry of the policy table, as written in the options. */
export interface PolicyRoute {
  /** A method, several, or `*` for every method. `HEAD` falls back to a `GET` entry, as in the frameworks. */
  readonly method: string | readonly string[];
  /** A find-my-way pattern: `/orders/:id`, `/files/*`, `/items/:id(^\\d+$)`. */
  readonly path: string;
  /** What the route demands (or carries it, as an adapter's route marker does); `publicRoute()` for none. */
  readonly requirement: RequirementLike;
  /** Compute and audit this entry's decision, but let the request through (shadow roll-out). */
  readonly dryRun?: boolean;
}

/** An entry after validation. */
export interface ResolvedRoute {
  /** Position in the options, for messages and the coverage report. */
  readonly index: number;
  /** Upper-case methods, or `['*']`. */
  readonly methods: readonly string[];
  readonly path: string;
  readonly requirement: Requirement;
  readonly dryRun: boolean;
}

/** A request matched to an entry, with the pattern's parameters. */
export interface RouteMatch {
  readonly route: ResolvedRoute;
  readonly params: Readonly<Record<string, string>>;
}

/** A compiled policy table. */
export interface RouteTable {
  readonly routes: readonly ResolvedRoute[];
  /** The entry for a method and path (query allowed, ignored), or `undefined`. Never throws. */
  match(method: string, path: string): RouteMatch | undefined;
}

const noop = () => undefined;
const requireRouter = createRequire(import.meta.url);
/** find-my-way, loaded when the first table is compiled: a guard without a policy table never loads it (measured: memory). */
let routerFactory: typeof createRouter | undefined;

const METHOD_EXPECTED = 'expected a method, an array of methods or "*"';
const NAME_EXPECTED = 'expected an HTTP method in upper case (GET, POST, …) or "*"';
const PATH_EXPECTED = 'expected a pattern starting with /';
/**
 * The schema of one {@link PolicyRoute}: unknown keys are errors, as everywhere in the options, and the
 * requirement is checked by the requirement language's schema.
 *
 * @example
 * ```ts
 * policyRouteSchema().safeParse({ method: 'GET', path: '/health', requirement: publicRoute() }).success; // true
 * ```
 */
export const policyRouteSchema = lazySchema(() => {
  const methodName = z
    .string({ error: NAME_EXPECTED })
    .check(z.refine((name) => name === '*' || METHODS.includes(name), NAME_EXPECTED));
  return z.strictObject(
    {
      method: z
        .union([methodName, z.array(methodName).check(z.minLength(1, METHOD_EXPECTED))], {
          error: METHOD_EXPECTED,
        })
        .check(
          z.refine((method) => typeof method === 'string' || !method.includes('*') || method.length === 1, {
            message: '"*" stands alone',
          }),
        ),
      path: z.string({ error: PATH_EXPECTED }).check(z.startsWith('/', PATH_EXPECTED)),
      requirement: z.pipe(z.transform(toRequirement), requirementSchema()),
      dryRun: z.optional(z.boolean({ error: 'expected a boolean' })),
    },
    { error: 'expected { method, path, requirement }' },
  );
});

/**
 * Validates and compiles a policy table; throws {@link ConfigError} naming every bad or conflicting entry.
 *
 * @example
 * ```ts
 * const table = compileRouteTable([
 *   { method: 'GET', path: '/health', requirement: publicRoute() },
 *   { method: ['GET', 'HEAD'], path: '/orders/:id', requirement: requireScopes('orders:read') },
 * ]);
 * table.match('GET', '/orders/42')?.params; // { id: '42' }
 * ```
 */
export function compileRouteTable(routes: readonly PolicyRoute[], at = 'policy.routes'): RouteTable {
  routerFactory ??= requireRouter('find-my-way') as typeof createRouter;
  const router = routerFactory({
    caseSensitive: false,
    ignoreTrailingSlash: true,
    ignoreDuplicateSlashes: true,
    maxParamLength: 1000,
  });
  const problems: string[] = [];
  const resolved: ResolvedRoute[] = [];
  routes.forEach((entry, index) => {
    const where = `${at}[${index}]`;
    const checked = safeParseEnglish(policyRouteSchema(), entry);
    if (!checked.success) {
      problems.push(...checked.error.issues.flatMap((issue) => describeIssue(issue, where)));
      return;
    }
    const methods = [...new Set(typeof entry.method === 'string' ? [entry.method] : entry.method)];
    const route: ResolvedRoute = Object.freeze({
      index,
      methods: Object.freeze(methods),
      path: entry.path,
      requirement: toRequirement(entry.requirement),
      dryRun: entry.dryRun ?? false,
    });
    try {
      if (methods[0] === '*') router.all(entry.path, noop, route);
      else router.on(methods as createRouter.HTTPMethod[], entry.path, noop, route);
      resolved.push(route);
    } catch (error) {
      const earlier = (methods[0] === '*' ? METHODS : methods)
        .map(
          (name) =>
            router.findRoute(name as createRouter.HTTPMethod, entry.path)?.store as ResolvedRoute | undefined,
        )
        .find((found) => found !== undefined && found.index !== index);
      const reason = earlier
        ? `conflicts with ${at}[${earlier.index}] (same method and path pattern)`
        : `is not a usable pattern (${error instanceof Error ? error.message : String(error)})`;
      problems.push(`${where}: ${entry.path} ${reason}`);
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    routes: Object.freeze(resolved),
    match(method, path) {
      try {
        const found =
          router.find(method as createRouter.HTTPMethod, path) ??
          (method === 'HEAD' ? router.find('GET', path) : null);
        if (!found) return undefined;
        const params: Record<string, string> = {};
        for (const [name, value] of Object.entries(found.params))
          if (value !== undefined) params[name] = value;
        return { route: found.store as ResolvedRoute, params: Object.freeze(params) };
      } catch {
        return undefined;
      }
    },
  };
}
