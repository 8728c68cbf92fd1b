/**
 * Rate limits per peer address, per principal (issuer + subject) or per client (issuer + client id), each
 * a sliding window, optionally restricted to some routes. Peer limits run before the token is verified, so
 * a flood of bogus tokens costs no signature checks; principal and client limits run after verification,
 * since only a verified token says who is calling. Refused requests count too: a client that keeps
 * hammering stays limited instead of getting through at every window edge.
 */
import { retryAfterSeconds, slidingCount } from './sliding-window.js';
import type { CounterStore } from './store.js';

/** What a rate limit counts requests by. */
export type RateLimitKey = 'peer' | 'principal' | 'client';

/**
 * One rate limit.
 *
 * @example
 * ```ts
 * const rule: RateLimitRule = { by: 'peer', limit: 100, windowSeconds: 60, routes: ['/login'] };
 * ```
 */
export interface RateLimitRule {
  /** Names the rule in audit details. Default `<by>:<limit>/<windowSeconds>s`. */
  readonly name?: string;
  readonly by: RateLimitKey;
  /** Requests allowed in any sliding window of `windowSeconds`. */
  readonly limit: number;
  readonly windowSeconds: number;
  /** Route templates (`RequestFacts.routeId`) the rule applies to; all routes when omitted. */
  readonly routes?: readonly string[];
}

/** Who a request comes from, as far as it is known at this step. */
export interface RateLimitSubject {
  readonly peer?: string | undefined;
  readonly principal?: string | undefined;
  readonly client?: string | undefined;
}

/** A request over a limit. */
export interface RateLimitExceeded {
  readonly rule: string;
  readonly retryAfterSeconds: number;
}

/**
 * The name a rule is reported under.
 *
 * @example
 * ```ts
 * ruleName({ by: 'peer', limit: 100, windowSeconds: 60 }); // 'peer:100/60s'
 * ```
 */
export function ruleName(rule: RateLimitRule): string {
  return rule.name ?? `${rule.by}:${rule.limit}/${rule.windowSeconds}s`;
}

/**
 * Counts the request against every rule of `keys` that applies to its route, and reports the exceeded
 * rule with the longest wait, if any.
 *
 * @example
 * ```ts
 * const over = await applyRateLimits(rules, ['peer'], { peer: '203.0.113.7' }, '/login', store, Date.now());
 * if (over) refuse(429, { 'retry-after': String(over.retryAfterSeconds) });
 * ```
 */
export async function applyRateLimits(
  rules: readonly RateLimitRule[],
  keys: readonly RateLimitKey[],
  subject: RateLimitSubject,
  routeId: string | undefined,
  store: CounterStore,
  nowMs: number,
): Promise<RateLimitExceeded | undefined> {
  let worst: RateLimitExceeded | undefined;
  for (const [index, rule] of rules.entries()) {
    if (!keys.includes(rule.by)) continue;
    if (rule.routes && (routeId === undefined || !rule.routes.includes(routeId))) continue;
    const who = subject[rule.by];
    if (who === undefined) continue;
    const windowMs = rule.windowSeconds * 1000;
    const count = await store.increment(`rl:${index}:${rule.by}:${who}`, windowMs, nowMs);
    if (slidingCount(count, windowMs, nowMs) <= rule.limit) continue;
    const wait = retryAfterSeconds(count, windowMs, nowMs, rule.limit);
    if (!worst || wait > worst.retryAfterSeconds) worst = { rule: ruleName(rule), retryAfterSeconds: wait };
  }
  return worst;
}
