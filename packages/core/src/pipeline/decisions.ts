/**
 * The decision builder: turns a pipeline outcome into the allow or deny an adapter acts on, with its audit
 * event, and completes a deferred audit event with how the request ended. Every refusal's response comes
 * from the one refusal builder, so status, challenge and body match the error table.
 */
import type { TrailContext } from '../audit/audit-event.js';
import { auditEvent, type Outcome } from '../audit/audit-event.js';
import type { AuditEvent } from '../model/audit.js';
import type { AllowDecision, Decision, DenyDecision } from '../model/decision.js';
import type { RequestFacts } from '../model/facts.js';
import type { Refusals } from '../model/refusals.js';
import { AUTHENTICATED, type Requirement } from '../policy/requirements.js';
import type { Completion } from './guard-api.js';

/** Builds decisions from outcomes. */
export interface DecisionBuilder {
  /** The decision of an outcome, with its audit event (status 200 for an allow until completed). */
  toDecision(
    facts: RequestFacts,
    requirement: Requirement,
    outcome: Outcome,
    startedAt: number,
    trail: TrailContext,
  ): Decision;
  /** The deny of an internal fault (fail closed), recorded even when the facts themselves are unusable. */
  fault(facts: RequestFacts, error: unknown, startedAt: number, trail: TrailContext): Decision;
}

// Shared and frozen: an allow adds no headers, or the one a query token needs (B-5), without an object per request.
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const QUERY_TOKEN_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'private' });

const UNUSABLE_FACTS: RequestFacts = Object.freeze({ method: '', target: '', headers: {} });

/**
 * Creates the decision builder of a guard.
 *
 * @example
 * ```ts
 * const decisions = createDecisionBuilder(refusals, auditTime);
 * const decision = decisions.toDecision(facts, requirement, { code: 'OK' }, performance.now(), trail);
 * ```
 */
export function createDecisionBuilder(refusals: Refusals, auditTime: () => number): DecisionBuilder {
  function toDecision(
    facts: RequestFacts,
    requirement: Requirement,
    outcome: Outcome,
    startedAt: number,
    trail: TrailContext,
  ): Decision {
    if (outcome.code === 'OK') {
      const allow: AllowDecision = {
        outcome: 'allow',
        principal: outcome.token?.principal,
        // B-5: a response to a request that carried its token in the URL must not be cached publicly.
        // RFC 9449 §8.2: a response carrying a fresh DPoP-Nonce is `no-store`, stricter than `private`.
        headers: outcome.headers ?? (outcome.queryToken ? QUERY_TOKEN_HEADERS : NO_HEADERS),
        audit: auditEvent(facts, requirement, outcome, 200, startedAt, auditTime(), trail),
      };
      return allow;
    }
    const code = outcome.code === 'ERR_CONFIG' ? 'ERR_INTERNAL' : outcome.code;
    const response = refusals.respond(code, {
      scheme: outcome.scheme,
      headers: outcome.headers,
      ...(outcome.challenge ? { challenge: outcome.challenge } : {}),
      ...(outcome.retryAfterSeconds !== undefined ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
    });
    const deny: DenyDecision = {
      ...response,
      audit: auditEvent(facts, requirement, outcome, response.status, startedAt, auditTime(), trail),
    };
    return deny;
  }

  function fault(facts: RequestFacts, error: unknown, startedAt: number, trail: TrailContext): Decision {
    const detail = `internal fault: ${error instanceof Error ? error.name : typeof error}`;
    const outcome: Outcome = { code: 'ERR_INTERNAL', detail };
    try {
      return toDecision(facts, AUTHENTICATED, outcome, startedAt, trail);
    } catch {
      // Facts an adapter got wrong cannot even be recorded as they are: record the fault without them.
      return toDecision(UNUSABLE_FACTS, AUTHENTICATED, outcome, startedAt, trail);
    }
  }

  return { toDecision, fault };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The audit event of a deferred decision, completed with the final status and the handler's duration.
 *
 * @example
 * ```ts
 * monitor.record(completedEvent(decision, { status: 204, handlerDurationMs: 3.2 }));
 * ```
 */
export function completedEvent(decision: Decision, completion: Completion): AuditEvent {
  const { status, handlerDurationMs } = completion;
  if (decision.outcome === 'deny') {
    return {
      ...decision.audit,
      status,
      outcome: 'deny',
      ...(handlerDurationMs !== undefined ? { handlerDurationMs } : {}),
    };
  }
  // Completed in place: this runs on every request, and a copy of a 30-field event was a measurable part
  // of it (measured in the benchmarks). Adapters never hand an allow decision's event to user code before this point.
  const event = decision.audit as Mutable<AuditEvent>;
  event.status = status;
  event.outcome = 'allow';
  if (handlerDurationMs !== undefined) event.handlerDurationMs = handlerDurationMs;
  return event;
}
