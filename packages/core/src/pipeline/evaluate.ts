/**
 * The order of the steps around the token work and the seam between synchronous and asynchronous
 * evaluation: plan, admit, decide, review, record. A decision comes back now when nothing on the way was
 * asynchronous (measured in the benchmarks), else a promise of it; either way an internal fault, thrown
 * or rejected, becomes a deny (fail closed) and never escapes.
 */
import type { Outcome, TrailContext } from '../audit/audit-event.js';
import type { Decision } from '../model/decision.js';
import type { RequestFacts } from '../model/facts.js';
import { isPromise } from '../model/maybe-async.js';
import type { Authoriser } from '../policy/authorise.js';
import type { Requirement } from '../policy/requirements.js';
import type { Decide, Promised } from './decide.js';
import type { DecisionBuilder } from './decisions.js';
import type { EvaluateOptions } from './guard-api.js';
import type { Evaluation, Monitor } from './monitor.js';

/** What the evaluation seam composes. */
export interface EvaluatorSettings {
  readonly authoriser: Authoriser;
  readonly monitor: Monitor;
  readonly decide: Decide;
  readonly decisions: DecisionBuilder;
}

/** One evaluation: a decision now, or a promise of it; never throws for anything a request did. */
export type EvaluateNow = (
  facts: RequestFacts,
  requirement: Requirement | undefined,
  options?: EvaluateOptions,
) => Promised<Decision>;

/**
 * Creates the guard's evaluation from its steps.
 *
 * @example
 * ```ts
 * const evaluateNow = createEvaluator({ authoriser, monitor, decide, decisions });
 * const decision = await evaluateNow(facts, requireScopes('orders:read'));
 * ```
 */
export function createEvaluator(settings: EvaluatorSettings): EvaluateNow {
  const { authoriser, monitor, decide, decisions } = settings;

  // Blocked peers, peer rate limits and fail-closed audit are refused before any token work.
  function pipeline(
    facts: RequestFacts,
    requirement: Requirement | undefined,
    startedAt: number,
    trail: TrailContext,
  ): Promised<Decision> {
    const plan = authoriser.plan(facts, requirement);
    const refusal = monitor.admit(facts);
    const outcome: Promised<Outcome> = isPromise(refusal)
      ? refusal.then((refused) => refused ?? decide(facts, plan))
      : (refusal ?? decide(facts, plan));
    if (!isPromise(outcome))
      return monitor.review(decisions.toDecision(facts, plan.requirement, outcome, startedAt, trail));
    return outcome.then((done) =>
      monitor.review(decisions.toDecision(facts, plan.requirement, done, startedAt, trail)),
    );
  }

  function finish(evaluation: Evaluation, decision: Decision, deferAudit: boolean): Decision {
    evaluation.end(decision.audit);
    return deferAudit ? decision : monitor.commit(decision);
  }

  function settle(
    evaluation: Evaluation,
    facts: RequestFacts,
    requirement: Requirement | undefined,
    deferAudit: boolean,
  ): Promised<Decision> {
    const startedAt = performance.now();
    const { trail } = evaluation;
    let pending: Promised<Decision>;
    try {
      pending = pipeline(facts, requirement, startedAt, trail);
    } catch (error) {
      pending = decisions.fault(facts, error, startedAt, trail);
    }
    if (isPromise(pending)) {
      return pending.then(
        (decision) => finish(evaluation, decision, deferAudit),
        (error: unknown) => finish(evaluation, decisions.fault(facts, error, startedAt, trail), deferAudit),
      );
    }
    return finish(evaluation, pending, deferAudit);
  }

  return function evaluateNow(facts, requirement, evaluateOptions) {
    const evaluation = monitor.begin(facts);
    const deferAudit = Boolean(evaluateOptions?.deferAudit);
    return evaluation.run(() => settle(evaluation, facts, requirement, deferAudit));
  };
}
