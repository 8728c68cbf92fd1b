/**
 * Requirement validation for the builders, the policy table and adapters: the zod schema of the requirement
 * language (`requirement-schema.ts`), its issues written as `path: expectation` like the options' issues.
 */
import { describeIssue, safeParseEnglish } from '../model/config-issues.js';
import { ConfigError } from '../model/errors.js';
import type { Requirement } from './requirement.js';
import { toRequirement } from './requirement-carrier.js';
import { requirementSchema } from './requirement-schema.js';

/**
 * Every problem with a requirement value, each as `path: expectation`; empty when it is well-formed.
 *
 * @example
 * ```ts
 * requirementProblems({ type: 'scopes', match: 'all', scopes: [] }, 'routes[0].requirement');
 * // ['routes[0].requirement.scopes: expected a non-empty array of scope tokens (RFC 6749 §3.3)']
 * ```
 */
export function requirementProblems(value: unknown, at = 'requirement'): string[] {
  const result = safeParseEnglish(requirementSchema(), toRequirement(value));
  return result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, at));
}

/**
 * Throws {@link ConfigError} when a requirement is malformed; returns it typed otherwise (a carrier, such
 * as an adapter's route marker, gives the requirement it carries).
 *
 * @example
 * ```ts
 * app.get('/orders', route(assertRequirement(userInput, 'routes./orders')), handler);
 * ```
 */
export function assertRequirement(value: unknown, at = 'requirement'): Requirement {
  const requirement = toRequirement(value);
  const problems = requirementProblems(requirement, at);
  if (problems.length > 0) throw new ConfigError(problems);
  return requirement as Requirement;
}
