/**
 * The one shape check of requirements, used by the builders, by option validation (policy tables) and by
 * adapters when a route is declared, so a malformed requirement fails at start-up with a `ConfigError`
 * naming where it is, never as a surprise at request time.
 */
import { ConfigError } from '../model/errors.js';
import { SCOPE_TOKEN } from '../token/scopes.js';
import { cidrProblem } from './cidr.js';
import { claimPathProblem } from './claim-path.js';
import { REQUIREMENT_TYPES, type Requirement } from './requirement.js';

// RFC 9110 §5.6.2 token, the syntax of a method name.
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// An `acr` value travels space-separated inside a challenge quoted-string (RFC 9470 §3): no space, `"`, `\`.
const ACR_VALUE = SCOPE_TOKEN;
const MAX_DEPTH = 16;

type Problems = string[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value);
}

function checkList(
  problems: Problems,
  at: string,
  value: unknown,
  valid: (entry: unknown) => boolean,
  what: string,
): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${at}: expected a non-empty array of ${what}`);
    return;
  }
  value.forEach((entry, index) => {
    if (!valid(entry)) problems.push(`${at}[${index}]: expected ${what}`);
  });
}

const nonEmptyString = (value: unknown) => typeof value === 'string' && value.length > 0;

function checkClaim(node: Record<string, unknown>, at: string, problems: Problems): void {
  const pathProblem = claimPathProblem(node.claim);
  if (pathProblem) problems.push(`${at}.claim: ${pathProblem}`);
  if (node.test === 'custom') {
    if (!nonEmptyString(node.name)) problems.push(`${at}.name: expected a non-empty string`);
    if (typeof node.check !== 'function') problems.push(`${at}.check: expected a function`);
    return;
  }
  if (node.test !== 'equals' && node.test !== 'one-of' && node.test !== 'includes') {
    problems.push(`${at}.test: expected equals, one-of, includes or custom`);
    return;
  }
  checkList(
    problems,
    `${at}.values`,
    node.values,
    isPrimitive,
    'JSON primitives (string, number, boolean, null)',
  );
  if (node.test === 'equals' && Array.isArray(node.values) && node.values.length !== 1) {
    problems.push(`${at}.values: expected exactly one value for equals`);
  }
}

function checkAuthentication(node: Record<string, unknown>, at: string, problems: Problems): void {
  if (node.acr === undefined && node.amr === undefined && node.maxAgeSeconds === undefined) {
    problems.push(`${at}: expected at least one of acr, amr, maxAgeSeconds`);
  }
  if (node.acr !== undefined) {
    checkList(
      problems,
      `${at}.acr`,
      node.acr,
      (v) => typeof v === 'string' && ACR_VALUE.test(v),
      'acr values',
    );
  }
  if (node.amr !== undefined) checkList(problems, `${at}.amr`, node.amr, nonEmptyString, 'amr method names');
  const maxAge = node.maxAgeSeconds;
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && (maxAge as number) >= 0)) {
    problems.push(`${at}.maxAgeSeconds: expected a non-negative integer`);
  }
}

function check(value: unknown, at: string, depth: number, problems: Problems): void {
  if (!isObject(value) || !REQUIREMENT_TYPES.includes(value.type as Requirement['type'])) {
    problems.push(`${at}: expected a requirement (one of ${REQUIREMENT_TYPES.join(', ')})`);
    return;
  }
  if (depth > MAX_DEPTH) {
    problems.push(`${at}: requirements nest at most ${MAX_DEPTH} levels deep`);
    return;
  }
  const match = () => {
    if (value.match !== 'all' && value.match !== 'any') problems.push(`${at}.match: expected all or any`);
  };
  switch (value.type as Requirement['type']) {
    case 'public':
      // An address or any other condition must never stand in for authentication: public is all or nothing.
      if (depth > 0) problems.push(`${at}: public is only allowed as a whole route's requirement`);
      return;
    case 'authenticated':
      return;
    case 'scopes':
      match();
      checkList(
        problems,
        `${at}.scopes`,
        value.scopes,
        (v) => typeof v === 'string' && SCOPE_TOKEN.test(v),
        'scope tokens (RFC 6749 §3.3)',
      );
      return;
    case 'roles':
      match();
      checkList(problems, `${at}.roles`, value.roles, nonEmptyString, 'role names');
      return;
    case 'claim':
      checkClaim(value, at, problems);
      return;
    case 'predicate':
      if (!nonEmptyString(value.name)) problems.push(`${at}.name: expected a non-empty string`);
      if (typeof value.test !== 'function') problems.push(`${at}.test: expected a function`);
      return;
    case 'kind':
      if (value.kind !== 'user' && value.kind !== 'service')
        problems.push(`${at}.kind: expected user or service`);
      return;
    case 'method':
      checkList(
        problems,
        `${at}.methods`,
        value.methods,
        (v) => typeof v === 'string' && METHOD_TOKEN.test(v),
        'method names',
      );
      return;
    case 'ownership': {
      if (!nonEmptyString(value.param)) problems.push(`${at}.param: expected a route parameter name`);
      const pathProblem = claimPathProblem(value.claim);
      if (pathProblem) problems.push(`${at}.claim: ${pathProblem}`);
      return;
    }
    case 'address':
      checkList(
        problems,
        `${at}.cidrs`,
        value.cidrs,
        (v) => cidrProblem(v) === undefined,
        'CIDR ranges (10.0.0.0/8, 2001:db8::/32)',
      );
      return;
    case 'authentication':
      checkAuthentication(value, at, problems);
      return;
    case 'and':
    case 'or':
      if (!Array.isArray(value.requirements) || value.requirements.length === 0) {
        problems.push(`${at}.requirements: expected a non-empty array of requirements`);
        return;
      }
      value.requirements.forEach((child, index) => {
        check(child, `${at}.requirements[${index}]`, depth + 1, problems);
      });
      return;
    case 'not':
      check(value.requirement, `${at}.requirement`, depth + 1, problems);
      return;
  }
}

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
  const problems: Problems = [];
  check(value, at, 0, problems);
  return problems;
}

/**
 * Throws {@link ConfigError} when a requirement is malformed; returns it typed otherwise.
 *
 * @example
 * ```ts
 * app.get('/orders', route(assertRequirement(userInput, 'routes./orders')), handler);
 * ```
 */
export function assertRequirement(value: unknown, at = 'requirement'): Requirement {
  const problems = requirementProblems(value, at);
  if (problems.length > 0) throw new ConfigError(problems);
  return value as Requirement;
}
