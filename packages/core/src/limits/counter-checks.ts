/**
 * The checks that ask the counter store: blocked peers and peer rate limits before verification; blocked
 * tokens and principals, principal and client rate limits and the anomaly detectors after it. Every call
 * goes through the store-fault path: a store that throws, rejects or outlasts `counterStoreFaults.timeoutMs`
 * refuses the request with 503 `ERR_LIMITS_UNAVAILABLE`, or — where the operator chose to fail the
 * counters open — lets it go on as if no limit applied. Never a 500, and an allow only by that choice.
 */

import type { ResolvedMonitoring } from '../audit/options.js';
import type { DetectionEvent } from '../audit/schema.js';
import type { Decision } from '../model/decision.js';
import type { RequestFacts } from '../model/facts.js';
import type { Refusals } from '../model/refusals.js';
import { callStore, StoreFault, type StoreRefusal } from '../model/store-faults.js';
import { blockKey, type OffenderKeys, observeDecision, offendersOf } from './detectors.js';
import { applyRateLimits, type RateLimitKey } from './rate-limit.js';
import type { Refusal } from './refusal.js';
import { type CounterStore, createMemoryCounterStore } from './store.js';

/** The counter-store checks of one guard. */
export interface CounterChecks {
  /** Whether {@link admit} has anything to ask before verification. */
  readonly admits: boolean;
  /** Whether {@link review} has anything to ask after the decision. */
  readonly reviews: boolean;
  admit(facts: RequestFacts): Promise<Refusal | undefined>;
  review(decision: Decision): Promise<Decision>;
}

/** What {@link createCounterChecks} needs from the monitor. */
export interface CounterCheckSettings {
  readonly monitoring: ResolvedMonitoring;
  readonly clock: () => number;
  readonly refuse: Refusals['refuse'];
  /** Records a detector's finding in the trail. */
  readonly record: (detection: DetectionEvent) => void;
  /** The guard's store-fault path: a refusal, or `undefined` when the counters fail open. */
  readonly onFault: (fault: StoreFault) => StoreRefusal | undefined;
}

/** Every method of `store` through the store-fault path, bounded in time unless it is the in-process one. */
function faultAware(store: CounterStore, timeoutMs: number | undefined): CounterStore {
  const call = <T>(work: () => Promise<T>) => Promise.resolve(callStore('counters', timeoutMs, work));
  return {
    increment: (key, windowMs, nowMs) => call(() => store.increment(key, windowMs, nowMs)),
    distinct: (key, member, windowMs, nowMs) => call(() => store.distinct(key, member, windowMs, nowMs)),
    setFlag: (key, untilMs) => call(() => store.setFlag(key, untilMs)),
    flag: (key, nowMs) => call(() => store.flag(key, nowMs)),
  };
}

const secondsUntil = (untilMs: number, now: number) => Math.max(1, Math.ceil((untilMs - now) / 1000));

/**
 * Creates the counter-store checks, or `undefined` when no rate limit or detector is configured.
 *
 * @example
 * ```ts
 * const checks = createCounterChecks({ monitoring, clock, refuse, record: pipeline.record, onFault });
 * const refusal = checks?.admits ? await checks.admit(facts) : undefined;
 * ```
 */
export function createCounterChecks(settings: CounterCheckSettings): CounterChecks | undefined {
  const { monitoring, clock, refuse, onFault } = settings;
  const { rateLimits, detectors } = monitoring;
  const anyDetector = Object.keys(detectors).length > 0;
  if (!anyDetector && rateLimits.length === 0) return undefined;
  const peerRules = rateLimits.some((rule) => rule.by === 'peer');
  const identityRules = rateLimits.some((rule) => rule.by !== 'peer');
  const configured = monitoring.counterStore;
  // The in-process store cannot hang: no timer per call for it.
  const store = configured
    ? faultAware(configured, monitoring.counterStoreFaults.timeoutMs)
    : faultAware(createMemoryCounterStore(), undefined);

  const blockedUntil = (kind: keyof OffenderKeys, key: string | undefined, now: number) =>
    key === undefined ? undefined : store.flag(blockKey(kind, key), now);

  async function admitPeer(facts: RequestFacts): Promise<Refusal | undefined> {
    const now = clock();
    const until = await blockedUntil('peer', facts.remoteAddress, now);
    if (until !== undefined) {
      return {
        code: 'ERR_BLOCKED',
        detail: 'peer blocked by auth-failure-burst',
        retryAfterSeconds: secondsUntil(until, now),
      };
    }
    if (!peerRules) return undefined;
    const who = { peer: facts.remoteAddress };
    const over = await applyRateLimits(rateLimits, ['peer'], who, facts.routeId, store, now);
    return (
      over && {
        code: 'ERR_RATE_LIMITED',
        detail: `rate limit ${over.rule}`,
        retryAfterSeconds: over.retryAfterSeconds,
      }
    );
  }

  /** Reviews `state.current`, moving it on as checks refuse, so a fault keeps what was decided so far. */
  async function reviewIdentity(state: { current: Decision }): Promise<Decision> {
    const now = clock();
    const event = state.current.audit;
    const offenders = offendersOf(event);
    if ((await blockedUntil('token', offenders.token, now)) !== undefined) {
      state.current = refuse(state.current, 'ERR_TOKEN_SUSPENDED', 'token suspended by token-spread');
    } else {
      const until = await blockedUntil('principal', offenders.principal, now);
      if (until !== undefined) {
        const wait = secondsUntil(until, now);
        state.current = refuse(state.current, 'ERR_BLOCKED', 'principal blocked by scope-probing', wait);
      } else if (identityRules && offenders.principal !== undefined) {
        const keys: RateLimitKey[] = ['principal', 'client'];
        const client = event.clientId === undefined ? undefined : `${event.issuer}\n${event.clientId}`;
        const who = { principal: offenders.principal, client };
        const over = await applyRateLimits(rateLimits, keys, who, event.route, store, now);
        if (over) {
          const detail = `rate limit ${over.rule}`;
          state.current = refuse(state.current, 'ERR_RATE_LIMITED', detail, over.retryAfterSeconds);
        }
      }
    }
    const current = state.current;
    if (!anyDetector) return current;
    const observation = await observeDecision(current.audit, detectors, store, now);
    for (const detection of observation.detections) settings.record(detection);
    const blocked = observation.blocked;
    if (!blocked || current.outcome !== 'allow') return current;
    return blocked.offender === 'token'
      ? refuse(current, 'ERR_TOKEN_SUSPENDED', 'token suspended by token-spread')
      : refuse(current, 'ERR_BLOCKED', `${blocked.offender} blocked`, secondsUntil(blocked.untilMs, now));
  }

  return {
    admits: peerRules || detectors['auth-failure-burst']?.blockSeconds !== undefined,
    reviews: identityRules || anyDetector,
    async admit(facts) {
      try {
        return await admitPeer(facts);
      } catch (error) {
        if (!(error instanceof StoreFault)) throw error;
        return onFault(error);
      }
    },
    async review(decision) {
      const state = { current: decision };
      try {
        return await reviewIdentity(state);
      } catch (error) {
        if (!(error instanceof StoreFault)) throw error;
        const refusal = onFault(error);
        // A refusal stays the refusal it already is: only an allow needs the store's answer to stand.
        if (!refusal || state.current.outcome !== 'allow') return state.current;
        const { code, detail, retryAfterSeconds } = refusal;
        return refuse(state.current, code, detail, retryAfterSeconds);
      }
    },
  };
}
