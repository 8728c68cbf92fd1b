/**
 * Requirements as text, for the audit trail, logs and the coverage report. The text is derived from the
 * data alone (custom tests appear by name), so two equal requirements always describe the same way.
 */
import { formatClaimPath } from './claim-path.js';
import type { Requirement } from './requirement.js';

function list(values: readonly unknown[]): string {
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(' ');
}

function describe(requirement: Requirement, nested: boolean): string {
  switch (requirement.type) {
    case 'public':
    case 'authenticated':
      return requirement.type;
    case 'scopes':
      // At the top level the scopes themselves are in the event's `requiredScopes`.
      return nested
        ? `scopes:${requirement.match}(${list(requirement.scopes)})`
        : `scopes:${requirement.match}`;
    case 'roles':
      return `roles:${requirement.match}(${list(requirement.roles)})`;
    case 'claim': {
      const path = formatClaimPath(requirement.claim);
      return requirement.test === 'custom'
        ? `claim(${path} custom:${requirement.name})`
        : `claim(${path} ${requirement.test} ${list(requirement.values)})`;
    }
    case 'predicate':
      return `predicate(${requirement.name})`;
    case 'kind':
      return `kind(${requirement.kind})`;
    case 'method':
      return `method(${list(requirement.methods)})`;
    case 'ownership':
      return `ownership(${requirement.param}=${formatClaimPath(requirement.claim)})`;
    case 'address':
      return `address(${list(requirement.cidrs)})`;
    case 'authentication': {
      const parts: string[] = [];
      if (requirement.acr) parts.push(`acr=${list(requirement.acr)}`);
      if (requirement.amr) parts.push(`amr=${list(requirement.amr)}`);
      if (requirement.maxAgeSeconds !== undefined) parts.push(`max_age=${requirement.maxAgeSeconds}`);
      return `authentication(${parts.join(' ')})`;
    }
    case 'binding':
      return `binding(${requirement.binding})`;
    case 'workload':
      return `workload(${list(requirement.spiffeIds)})`;
    case 'and':
    case 'or':
      return `${requirement.type}(${requirement.requirements.map((child) => describe(child, true)).join(', ')})`;
    case 'not':
      return `not(${describe(requirement.requirement, true)})`;
    default:
      return 'unknown';
  }
}

/**
 * A one-line description of a requirement. Composed forms spell out every part; a top-level scope
 * requirement stays `scopes:all` / `scopes:any` (the audit event lists the scopes beside it) unless `full`.
 *
 * @example
 * ```ts
 * describeRequirement(and(requireScopes('a'), requireKind('user'))); // 'and(scopes:all(a), kind(user))'
 * describeRequirement(requireScopes('a'), { full: true }); // 'scopes:all(a)'
 * ```
 */
export function describeRequirement(
  requirement: Requirement,
  options: { readonly full?: boolean } = {},
): string {
  return describe(requirement, options.full === true);
}

/**
 * Every scope a requirement names anywhere (outside `not`), for the audit trail and metadata; `undefined`
 * when it names none.
 *
 * @example
 * ```ts
 * requiredScopesOf(or(requireScopes('a'), requireScopes('b'))); // ['a', 'b']
 * ```
 */
export function requiredScopesOf(requirement: Requirement): readonly string[] | undefined {
  const scopes = new Set<string>();
  const visit = (node: Requirement): void => {
    if (node.type === 'scopes') for (const scope of node.scopes) scopes.add(scope);
    if (node.type === 'and' || node.type === 'or') node.requirements.forEach(visit);
  };
  visit(requirement);
  return scopes.size === 0 ? undefined : [...scopes];
}
