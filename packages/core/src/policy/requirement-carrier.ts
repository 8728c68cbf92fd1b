/**
 * Values that stand for a requirement. An adapter's `requireScopes('orders:read')` is route middleware and,
 * at the same time, the requirement it enforces: it carries that requirement under {@link REQUIREMENT}.
 * So `require*` has one meaning everywhere — it builds a check — and a check built with an adapter's import
 * can be composed (`and(requireScopes('a'), requireRoles('b'))`), put in the policy table or passed to
 * `guard.evaluate` like the core's plain data.
 */
import type { Requirement } from './requirement.js';

/** The property under which a route marker (or a decorated handler) keeps the requirement it states. */
export const REQUIREMENT: unique symbol = Symbol('nevertrust.requirement');

/** Something that states a requirement without being its plain data: a route marker, a decorated handler. */
export interface RequirementCarrier {
  /** The requirement stated. */
  readonly [REQUIREMENT]: Requirement;
}

/** A requirement, or a value that carries one; accepted wherever a requirement is. */
export type RequirementLike = Requirement | RequirementCarrier;

/**
 * The requirement `value` carries, when it is a carrier.
 *
 * @example
 * ```ts
 * carriedRequirement(requireScopes('orders:read')); // with an adapter's import: the scopes requirement
 * carriedRequirement({ type: 'public' }); // undefined: plain data carries nothing
 * ```
 */
export function carriedRequirement(value: unknown): Requirement | undefined {
  if ((typeof value !== 'function' && typeof value !== 'object') || value === null) return undefined;
  return (value as Partial<RequirementCarrier>)[REQUIREMENT];
}

/**
 * The plain requirement behind `value`: what a carrier states, or `value` itself (still to be validated).
 *
 * @example
 * ```ts
 * const requirement = toRequirement(entry.requirement);
 * ```
 */
export function toRequirement(value: RequirementLike): Requirement;
export function toRequirement(value: unknown): unknown;
export function toRequirement(value: unknown): unknown {
  return carriedRequirement(value) ?? value;
}
