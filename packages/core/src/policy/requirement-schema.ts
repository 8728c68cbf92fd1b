/**
 * The requirement language as a zod schema: a discriminated union over `type`, recursive through `and`,
 * `or` and `not`. It is the one shape check of requirements, used by the builders, by the policy table
 * and by adapters when a route is declared, so a malformed requirement fails at start-up. The recursion is
 * unrolled by depth (built on first use): `public` is accepted only at the top, and below the deepest
 * level a schema that always refuses stands in, so a cyclic or absurdly deep value ends at that level
 * instead of exhausting the stack.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../model/lazy-schema.js';
import { SCOPE_TOKEN } from '../token/scopes.js';
import { cidrProblem } from './cidr.js';
import { claimPathSchema } from './claim-path.js';
import { REQUIREMENT_TYPES } from './requirement.js';

// RFC 9110 §5.6.2 token, the syntax of a method name.
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// An `acr` value travels space-separated inside a challenge quoted-string (RFC 9470 §3): no space, `"`, `\`.
const ACR_VALUE = SCOPE_TOKEN;
const MAX_DEPTH = 16;
const SCOPE_EXPECTED = 'expected a scope token (RFC 6749 §3.3)';

/**
 * One scope token (RFC 6749 §3.3), as requirements and the options (role tables, metadata) write it.
 *
 * @example
 * ```ts
 * z.array(scopeTokenSchema()).parse(['orders:read']);
 * ```
 */
export const scopeTokenSchema = lazySchema(() =>
  z.string({ error: SCOPE_EXPECTED }).check(z.regex(SCOPE_TOKEN, SCOPE_EXPECTED)),
);

/** A non-empty array of `entry`, both failures naming `what`. */
const listOf = <Entry extends z.ZodMiniType>(entry: Entry, what: string) =>
  z
    .array(entry, { error: `expected a non-empty array of ${what}` })
    .check(z.minLength(1, `expected a non-empty array of ${what}`));

/** The leaves every level shares, built once on first use. */
const leaves = lazySchema(() => {
  const text = z
    .string({ error: 'expected a non-empty string' })
    .check(z.minLength(1, 'expected a non-empty string'));
  const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    message: 'expected a function',
  });
  const match = z.enum(['all', 'any'], { error: 'expected all or any' });
  const claimPath = claimPathSchema();
  const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()], {
    error: 'expected a JSON primitive (string, number, boolean or null)',
  });
  const primitives = 'JSON primitives (string, number, boolean, null)';
  // A fixed message: a bad range is not repeated (cidrProblem quotes it).
  const cidr = z.custom<string>((value) => cidrProblem(value) === undefined, {
    message: 'expected a CIDR range such as 10.0.0.0/8 or 2001:db8::/32',
  });
  const claimTests = z.discriminatedUnion(
    'test',
    [
      z.object({
        type: z.literal('claim'),
        claim: claimPath,
        test: z.literal('equals'),
        values: listOf(primitive, primitives).check(z.maxLength(1, 'expected exactly one value for equals')),
      }),
      z.object({
        type: z.literal('claim'),
        claim: claimPath,
        test: z.enum(['one-of', 'includes']),
        values: listOf(primitive, primitives),
      }),
      z.object({
        type: z.literal('claim'),
        claim: claimPath,
        test: z.literal('custom'),
        name: text,
        check: fn,
      }),
    ],
    { error: 'expected equals, one-of, includes or custom' },
  );
  const authentication = z
    .object({
      type: z.literal('authentication'),
      acr: z.optional(
        listOf(
          z.string().check(z.regex(ACR_VALUE, 'expected an acr value (no space, " or \\)')),
          'acr values',
        ),
      ),
      amr: z.optional(listOf(text, 'amr method names')),
      maxAgeSeconds: z.optional(
        z
          .number()
          .check(z.int('expected a non-negative integer'), z.gte(0, 'expected a non-negative integer')),
      ),
    })
    .check(
      z.refine(
        (value) => value.acr !== undefined || value.amr !== undefined || value.maxAgeSeconds !== undefined,
        // Also when a field is malformed, so every problem is reported at once.
        { message: 'expected at least one of acr, amr, maxAgeSeconds', when: () => true },
      ),
    );
  return { text, fn, match, claimPath, cidr, claimTests, authentication };
});

/** The requirements a node at `depth` may be, its children one level deeper. */
function level(depth: number): z.ZodMiniType {
  if (depth > MAX_DEPTH) {
    return z.custom(() => false, { message: `requirements nest at most ${MAX_DEPTH} levels deep` });
  }
  const { text, fn, match, claimPath, cidr, claimTests, authentication } = leaves();
  const child = z.lazy(() => levelAt(depth + 1));
  // An address or any other condition must never stand in for authentication: public is all or nothing.
  const publicNode = z.object({ type: z.literal('public') });
  return z.discriminatedUnion(
    'type',
    [
      depth === 0
        ? publicNode
        : publicNode.check(z.refine(() => false, "public is only allowed as a whole route's requirement")),
      z.object({ type: z.literal('authenticated') }),
      z.object({
        type: z.literal('scopes'),
        match,
        scopes: listOf(scopeTokenSchema(), 'scope tokens (RFC 6749 §3.3)'),
      }),
      z.object({ type: z.literal('roles'), match, roles: listOf(text, 'role names') }),
      claimTests,
      z.object({ type: z.literal('predicate'), name: text, test: fn }),
      z.object({
        type: z.literal('kind'),
        kind: z.enum(['user', 'service'], { error: 'expected user or service' }),
      }),
      z.object({
        type: z.literal('method'),
        methods: listOf(
          z.string().check(z.regex(METHOD_TOKEN, 'expected a method name (RFC 9110 token)')),
          'method names',
        ),
      }),
      z.object({
        type: z.literal('ownership'),
        param: z
          .string({ error: 'expected a route parameter name' })
          .check(z.minLength(1, 'expected a route parameter name')),
        claim: claimPath,
      }),
      z.object({
        type: z.literal('address'),
        cidrs: listOf(cidr, 'CIDR ranges (10.0.0.0/8, 2001:db8::/32)'),
      }),
      authentication,
      z.object({
        type: z.literal('binding'),
        binding: z.enum(['dpop', 'mtls', 'any'], { error: 'expected dpop, mtls or any' }),
      }),
      z.object({
        type: z.literal('workload'),
        spiffeIds: listOf(
          z
            .string()
            .check(
              z.regex(/^spiffe:\/\/[^/\s]+(\/\S*)?$/, 'expected a SPIFFE ID (spiffe://trust-domain/path)'),
            ),
          'SPIFFE IDs',
        ),
      }),
      z.object({ type: z.literal('and'), requirements: listOf(child, 'requirements') }),
      z.object({ type: z.literal('or'), requirements: listOf(child, 'requirements') }),
      z.object({ type: z.literal('not'), requirement: child }),
    ],
    {
      // Not an object at all, or an object whose `type` is not in the language.
      error: (issue) =>
        issue.code === 'invalid_union'
          ? `expected one of ${REQUIREMENT_TYPES.join(', ')}`
          : `expected a requirement (one of ${REQUIREMENT_TYPES.join(', ')})`,
    },
  );
}

const levels: z.ZodMiniType[] = [];
function levelAt(depth: number): z.ZodMiniType {
  levels[depth] ??= level(depth);
  return levels[depth];
}

/**
 * The schema of a whole route's requirement (the top level, where `public` is allowed).
 *
 * @example
 * ```ts
 * requirementSchema().safeParse({ type: 'scopes', match: 'all', scopes: ['orders:read'] }).success; // true
 * ```
 */
export const requirementSchema = lazySchema((): z.ZodMiniType => levelAt(0));
