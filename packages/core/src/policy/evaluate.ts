/**
 * Evaluation of a requirement against a {@link PolicyInput}. Never throws: a custom test that throws or a
 * malformed requirement is a refusal (fail closed). Precedence follows RFC 9470 §3 and the checklist: a
 * missing privilege (403) wins over weak authentication (401 step-up), because stepping up cannot cure it.
 */
import type { ErrorCode } from '../model/errors.js';
import { compileCidrs } from './cidr.js';
import { formatClaimPath, readClaim } from './claim-path.js';
import type { PolicyInput } from './input.js';
import type { AddressRequirement, ClaimRequirement, Requirement } from './requirement.js';
import { checkAuthentication } from './step-up.js';

/** The codes a requirement can refuse with. */
export type PolicyErrorCode = Extract<
  ErrorCode,
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_ACCESS_DENIED'
  | 'ERR_INSUFFICIENT_USER_AUTHENTICATION'
  | 'ERR_BINDING_REQUIRED'
  | 'ERR_INTERNAL'
>;

/** A refusal: its code, an internal detail for the audit trail, and challenge parameters for the client. */
export interface PolicyFailure {
  readonly ok: false;
  readonly code: PolicyErrorCode;
  readonly detail: string;
  readonly challenge: Readonly<Record<string, string>>;
}

/** The result of {@link evaluateRequirement}. */
export type PolicyResult = { readonly ok: true } | PolicyFailure;

const OK: PolicyResult = Object.freeze({ ok: true });
const matchers = new WeakMap<AddressRequirement, (address: string | undefined) => boolean>();

function denied(detail: string, code: PolicyErrorCode = 'ERR_ACCESS_DENIED', challenge = {}): PolicyFailure {
  return { ok: false, code, detail, challenge };
}

/** Runs a user function; anything but exactly `true` (including a throw) is a refusal. */
function passes(test: () => boolean): boolean {
  try {
    return test() === true;
  } catch {
    return false;
  }
}

function checkClaim(requirement: ClaimRequirement, input: PolicyInput): PolicyResult {
  const value = readClaim(input.principal.claims, requirement.claim);
  const where = formatClaimPath(requirement.claim);
  if (requirement.test === 'custom') {
    return passes(() => requirement.check(value)) ? OK : denied(`claim ${where} fails ${requirement.name}`);
  }
  const { values } = requirement;
  const met =
    requirement.test === 'includes'
      ? Array.isArray(value) && values.every((wanted) => value.includes(wanted))
      : values.includes(value as never);
  return met
    ? OK
    : denied(`claim ${where} does not ${requirement.test.replace('-', ' ')} the required value`);
}

function addressMatcher(requirement: AddressRequirement): (address: string | undefined) => boolean {
  let matcher = matchers.get(requirement);
  if (!matcher) {
    matcher = compileCidrs(requirement.cidrs);
    matchers.set(requirement, matcher);
  }
  return matcher;
}

function combineAll(requirements: readonly Requirement[], input: PolicyInput, depth: number): PolicyResult {
  let stepUp: PolicyFailure | undefined;
  for (const child of requirements) {
    const result = evaluate(child, input, depth + 1);
    if (result.ok) continue;
    if (result.code !== 'ERR_INSUFFICIENT_USER_AUTHENTICATION') return result;
    stepUp ??= result;
  }
  return stepUp ?? OK;
}

function combineAny(requirements: readonly Requirement[], input: PolicyInput, depth: number): PolicyResult {
  let first: PolicyFailure | undefined;
  let stepUp: PolicyFailure | undefined;
  for (const child of requirements) {
    const result = evaluate(child, input, depth + 1);
    if (result.ok) return OK;
    first ??= result;
    if (result.code === 'ERR_INSUFFICIENT_USER_AUTHENTICATION') stepUp ??= result;
  }
  // A branch a step-up would satisfy is the one worth telling the client about.
  return stepUp ?? first ?? denied('or() without requirements');
}

function evaluate(requirement: Requirement, input: PolicyInput, depth: number): PolicyResult {
  if (depth > 32) return denied('requirement nests too deeply', 'ERR_INTERNAL');
  switch (requirement.type) {
    case 'public':
    case 'authenticated':
      return OK;
    case 'scopes': {
      const { scopes, match } = requirement;
      const met =
        match === 'all' ? scopes.every((s) => input.scopes.has(s)) : scopes.some((s) => input.scopes.has(s));
      return met
        ? OK
        : denied(`scopes:${match} not granted`, 'ERR_INSUFFICIENT_SCOPE', { scope: scopes.join(' ') });
    }
    case 'roles': {
      const { roles, match } = requirement;
      const met =
        match === 'all' ? roles.every((r) => input.roles.has(r)) : roles.some((r) => input.roles.has(r));
      return met ? OK : denied(`roles:${match} not held`);
    }
    case 'claim':
      return checkClaim(requirement, input);
    case 'predicate':
      return passes(() => requirement.test(input)) ? OK : denied(`predicate ${requirement.name} failed`);
    case 'kind':
      return input.principal.kind === requirement.kind
        ? OK
        : denied(`principal is not a ${requirement.kind}`);
    case 'method':
      return requirement.methods.includes(input.method) ? OK : denied('method not allowed');
    case 'ownership': {
      const owner = readClaim(input.principal.claims, requirement.claim);
      const param = Object.hasOwn(input.params, requirement.param)
        ? input.params[requirement.param]
        : undefined;
      return typeof owner === 'string' && param !== undefined && owner === param
        ? OK
        : denied(
            `route parameter ${requirement.param} is not the principal's ${formatClaimPath(requirement.claim)}`,
          );
    }
    case 'address':
      return addressMatcher(requirement)(input.remoteAddress)
        ? OK
        : denied('client address not in the allowed ranges');
    case 'authentication': {
      const failure = checkAuthentication(requirement, input.principal.authentication, input.nowSeconds);
      return failure ? denied(failure.detail, 'ERR_INSUFFICIENT_USER_AUTHENTICATION', failure.challenge) : OK;
    }
    case 'binding': {
      const { type } = input.principal.binding;
      const met = requirement.binding === 'any' ? type !== 'none' : type === requirement.binding;
      return met ? OK : denied(`token is not ${requirement.binding}-bound`, 'ERR_BINDING_REQUIRED');
    }
    case 'workload': {
      const id = input.principal.workload?.spiffeId;
      return id !== undefined && requirement.spiffeIds.includes(id)
        ? OK
        : denied(id === undefined ? 'no verified workload identity' : `workload ${id} not allowed`);
    }
    case 'and':
      return combineAll(requirement.requirements, input, depth);
    case 'or':
      return combineAny(requirement.requirements, input, depth);
    case 'not': {
      const inner = evaluate(requirement.requirement, input, depth + 1);
      // A fault inside not() must not turn into a pass.
      if (!inner.ok && inner.code === 'ERR_INTERNAL') return inner;
      return inner.ok ? denied('not() condition matched') : OK;
    }
    default:
      return denied(
        `unknown requirement type ${String((requirement as { type: unknown }).type)}`,
        'ERR_INTERNAL',
      );
  }
}

/**
 * Evaluates a requirement for one request; never throws.
 *
 * @example
 * ```ts
 * const result = evaluateRequirement(requireScopes('orders:read'), input);
 * if (!result.ok) console.log(result.code); // 'ERR_INSUFFICIENT_SCOPE'
 * ```
 */
export function evaluateRequirement(requirement: Requirement, input: PolicyInput): PolicyResult {
  try {
    return evaluate(requirement, input, 0);
  } catch (error) {
    return denied(
      `requirement evaluation failed: ${error instanceof Error ? error.name : typeof error}`,
      'ERR_INTERNAL',
    );
  }
}
