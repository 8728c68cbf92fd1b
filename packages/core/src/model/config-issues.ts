/**
 * The one formatter from zod issues to `ConfigError` problems, shared by option validation and requirement
 * validation so both read the same: `path: expectation`. Only names and expectations are written, never a
 * received value, so a secret or token put in the wrong place is never echoed into a log.
 */
import type * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ConfigError } from './errors.js';
import { lazySchema } from './lazy-schema.js';

// zod/mini sets no locale of its own (it would print "Invalid input" only); the English messages are
// passed per parse rather than with `z.config()`, which would change them for the application's own zod.
// The English locale is imported on its own, not through `z.locales`, which holds every locale.
const english = lazySchema(() => en().localeError);

/**
 * `schema.safeParse(value)` with zod's English messages (`expected number, received string`).
 *
 * @example
 * ```ts
 * const result = safeParseEnglish(guardSchema(), options);
 * ```
 */
export function safeParseEnglish<Schema extends z.ZodMiniType>(
  schema: Schema,
  value: unknown,
): z.core.util.SafeParseResult<z.output<Schema>> {
  return schema.safeParse(value, { error: english() });
}

function formatPath(root: string, path: readonly PropertyKey[]): string {
  const text = path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 && !root ? '' : '.'}${String(part)}`,
    )
    .join('');
  return `${root}${text}` || '(options)';
}

/**
 * One zod issue as `path: expectation` lines, the path prefixed with `root` (empty for the guard options).
 *
 * @example
 * ```ts
 * result.error.issues.flatMap((issue) => describeIssue(issue)); // ['issuers[0].secrett: unknown option']
 * describeIssue(issue, 'policy.routes[0].requirement'); // ['policy.routes[0].requirement.scopes: expected …']
 * ```
 */
export function describeIssue(issue: z.core.$ZodIssue, root = ''): string[] {
  // A misspelt option is named by its own path, so `issuers[0].secrett` points at the typo. Only the name
  // is repeated, never the value.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath(root, [...issue.path, key])}: unknown option`);
  }
  // zod's messages state the expected type or the allowed values, never the received value, so a secret
  // given in the wrong place is never echoed.
  return [`${formatPath(root, issue.path)}: ${issue.message}`];
}

/**
 * Parses `value` with `schema`, or throws {@link ConfigError} with every issue as `root.path: expectation`.
 *
 * @example
 * ```ts
 * const target = parseOrThrow(targets().token, input, 'revokeToken()');
 * ```
 */
export function parseOrThrow<Schema extends z.ZodMiniType>(
  schema: Schema,
  value: unknown,
  root: string,
): z.output<Schema> {
  const result = safeParseEnglish(schema, value);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(issue, root)));
}
