/**
 * The guard: extract → verify → authorise → record, for one request at a time. `evaluate` never throws
 * for anything a request did; an unexpected internal fault becomes a deny (fail closed).
 */
import { hash } from 'node:crypto';
import type { TrailContext } from '../audit/audit-event.js';
import { auditEvent, type Outcome } from '../audit/audit-event.js';
import type { AuditSinkStats } from '../audit/pipeline.js';
import { type ExtractionSettings, extractCredential } from '../extract/extract.js';
import { createJsonFetcher } from '../keys/fetch-json.js';
import { createKeyControl, createKeyEvents, type KeyControl } from '../keys/guard-keys.js';
import type { AuditEvent } from '../model/audit.js';
import type { AllowDecision, Decision, DenyDecision } from '../model/decision.js';
import type { RequestFacts } from '../model/facts.js';
import { isPromise } from '../model/maybe-async.js';
import { createRefusals } from '../model/refusals.js';
import type { Authorisation, Plan } from '../policy/authorise.js';
import { createPolicyLayer, type PolicyView } from '../policy/policy-layer.js';
import { AUTHENTICATED, type Requirement } from '../policy/requirements.js';
import type { ResourceMetadataEndpoint } from '../policy/resource-metadata.js';
import { resourceMetadataLocation } from '../policy/resource-metadata.js';
import type { Revocation } from '../policy/revocation.js';
import { createTokenCache, type TokenCache } from '../token/token-cache.js';
import { type ResolvedIssuer, type VerifiedToken, verifyAccessToken } from '../token/verify-token.js';
import { resolveIssuers } from './issuers.js';
import { createMonitor, type Evaluation } from './monitor.js';
import { type GuardOptions, validateOptions } from './options.js';

/** Options of one {@link Guard.evaluate} call. */
export interface EvaluateOptions {
  /**
   * Do not emit the audit event now: the adapter completes it with the final HTTP status and handler time
   * through {@link Guard.recordAudit}. Exactly one of the two paths emits.
   */
  readonly deferAudit?: boolean;
}

/** How a request ended, reported by an adapter to complete a deferred audit event. */
export interface Completion {
  /** The final HTTP status sent to the client. */
  readonly status: number;
  /** How long the handler ran, in milliseconds. */
  readonly handlerDurationMs?: number;
}

/**
 * Authenticates and authorises requests.
 *
 * @example
 * ```ts
 * const decision = await guard.evaluate(facts, requireScopes('orders:read'));
 * if (decision.outcome === 'deny') return send(decision.status, decision.headers, decision.body);
 * ```
 */
export interface Guard {
  /**
   * Decides about one request against the route's own `requirement` and the policy table. Without either,
   * any valid access token is enough — or, in strict mode, the request is refused. Never rejects.
   */
  evaluate(facts: RequestFacts, requirement?: Requirement, options?: EvaluateOptions): Promise<Decision>;
  /**
   * Emits the audit event of a decision made with `deferAudit`, completed with how the request ended.
   * An allow decision's `audit` is completed in place (one event per request, no copy); a deny
   * decision's is copied, since a refusal may already be in user code inside an `AccessDeniedError`.
   * Call it once per decision.
   */
  recordAudit(decision: Decision, completion: Completion): void;
  /** Loads every issuer's keys now; rejects with the first issuer whose keys cannot be loaded. */
  ready(): Promise<void>;
  /** Writes out queued audit records, closes the audit sinks and releases key-fetching connections. */
  close(): Promise<void>;
  /** Resolves once every queued audit record was handed to its sink (or after `timeoutMs`, default 5 s). */
  flushAudit(timeoutMs?: number): Promise<void>;
  /** Per audit sink: whether it takes records now, how many wait, how many were lost. For health checks. */
  auditHealth(): readonly AuditSinkStats[];
  /** Revokes tokens by issuer + `jti`, or every token of a subject or client up to a point in time. */
  readonly revocation: Revocation;
  /** Withdraws and restores issuer keys (audited, immediate, cached tokens included); key-set health. */
  readonly keys: KeyControl;
  /** The RFC 9728 metadata endpoint adapters serve, when `resourceMetadata` is configured. */
  readonly resourceMetadata: ResourceMetadataEndpoint | undefined;
  /** Strict mode, dry-run and the compiled policy table, for adapters and coverage reports. */
  readonly policy: PolicyView;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function completedEvent(decision: Decision, completion: Completion): AuditEvent {
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

/** A value now, or a (native) promise of it. */
type Promised<T> = T | Promise<T>;

/**
 * The guard's evaluation without the promise around it: a decision now when nothing on the way was
 * asynchronous (a cache hit with in-process stores), else a promise. For the core's request gate, which
 * runs on every request of every adapter (measured in the benchmarks); not part of the public API.
 */
export const EVALUATE_NOW = Symbol('nevertrust.evaluateNow');

/** A guard as `createGuard` makes it, with the internal {@link EVALUATE_NOW}. */
export type InternalGuard = Guard & {
  readonly [EVALUATE_NOW]?: (
    facts: RequestFacts,
    requirement: Requirement | undefined,
    options?: EvaluateOptions,
  ) => Decision | Promise<Decision>;
};

const UNUSABLE_FACTS: RequestFacts = Object.freeze({ method: '', target: '', headers: {} });

/**
 * Creates a guard from options; throws {@link ConfigError} when they are wrong.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }],
 *   onAudit: (event) => console.log(event.outcome, event.reason),
 * });
 * ```
 */
export function createGuard(options: GuardOptions): Guard {
  const validated = validateOptions(options);
  const metadataResource = validated.resourceMetadata?.resource;
  const refusals = createRefusals({
    realm: validated.realm,
    resourceMetadata: metadataResource ? resourceMetadataLocation(metadataResource).url : undefined,
  });
  // Record step and the analysis around evaluation (audit sinks, metrics, rate limits, detectors).
  const monitor = createMonitor({
    monitoring: validated.monitoring,
    onAudit: validated.onAudit,
    onFetch: validated.keyFetch.onFetch,
    refusals,
    clock: () => auditTime(),
  });
  const { fetchJson, close } = createJsonFetcher(validated.keyFetch);
  const keyEvents = createKeyEvents(monitor.record, () => auditTime());
  const table = resolveIssuers(
    { ...validated, keyFetch: { ...validated.keyFetch, onFetch: monitor.onKeyFetch } },
    fetchJson,
    keyEvents.onKeySetChange,
  );
  const issuers: ReadonlyMap<string, ResolvedIssuer> = table;
  const cache: TokenCache | undefined =
    validated.cache === false ? undefined : createTokenCache(validated.cache);
  const extraction: ExtractionSettings = {
    allowQueryToken: validated.allowQueryToken,
    maxTokenBytes: validated.maxTokenBytes,
  };
  const { clock } = validated;
  const layer = createPolicyLayer({ ...validated, onStoreFault: monitor.storeFault });
  // The clock is caller code: a fault or a non-finite time must end in a deny (fail closed), never in a
  // rejected promise, nor in comparisons with NaN that would let every expiry and cache entry pass.
  const currentTime = (): number => {
    const time = clock();
    if (!Number.isFinite(time)) throw new RangeError('clock returned a non-finite time');
    return time;
  };
  const auditTime = (): number => {
    try {
      return currentTime();
    } catch {
      return Date.now();
    }
  };

  // Synchronous on a cache hit with in-process stores; a promise only where something is awaited.
  function decide(facts: RequestFacts, plan: Plan): Promised<Outcome> {
    const credential = extractCredential(facts, extraction);
    if (credential.kind === 'error') return { code: credential.code, detail: credential.detail };
    // Deny by default: a route nobody declared is refused whatever credentials come with it.
    if (plan.refusal) return plan.refusal;
    if (credential.kind === 'none') {
      if (!plan.isPublic) return { code: 'ERR_NO_CREDENTIALS' };
      return plan.shadow ? { code: 'OK', dryRun: plan.shadow } : { code: 'OK' };
    }
    const key = hash('sha256', credential.token, 'base64url');
    const fingerprint = key.slice(0, 16);
    const queryToken = credential.location === 'query';
    const now = currentTime();
    const cached = cache?.get(key, now);
    if (cached) return authorised(plan, cached, facts, now, fingerprint, true, queryToken);
    // Synchronous when the issuer's keys are at hand: a miss costs no promise of its own (measured in the benchmarks).
    const pending = verifyAccessToken(credential.token, issuers, now / 1000);
    const verified = (verification: Awaited<typeof pending>): Promised<Outcome> => {
      if (!verification.ok) return { ...verification, fingerprint };
      cache?.set(key, verification.token, now);
      return authorised(plan, verification.token, facts, now, fingerprint, false, queryToken);
    };
    return isPromise(pending) ? pending.then(verified) : verified(pending);
  }

  function authorised(
    plan: Plan,
    token: VerifiedToken,
    facts: RequestFacts,
    now: number,
    fingerprint: string,
    cacheHit: boolean,
    queryToken: boolean,
  ): Promised<Outcome> {
    const result = layer.authoriser.authorise(plan, token, facts, now / 1000);
    const outcomeOf = (done: Authorisation): Outcome => {
      if (done.code !== 'OK') return { ...done, token, fingerprint, cacheHit };
      return done.dryRun
        ? { code: 'OK', dryRun: done.dryRun, token, fingerprint, cacheHit, queryToken }
        : { code: 'OK', token, fingerprint, cacheHit, queryToken };
    };
    return isPromise(result) ? result.then(outcomeOf) : outcomeOf(result);
  }

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
        headers: outcome.queryToken ? { 'cache-control': 'private' } : {},
        audit: auditEvent(facts, requirement, outcome, 200, startedAt, auditTime(), trail),
      };
      return allow;
    }
    const code = outcome.code === 'ERR_CONFIG' ? 'ERR_INTERNAL' : outcome.code;
    const response = refusals.respond(code, {
      ...(outcome.challenge ? { challenge: outcome.challenge } : {}),
      ...(outcome.retryAfterSeconds !== undefined ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
    });
    const deny: DenyDecision = {
      ...response,
      audit: auditEvent(facts, requirement, outcome, response.status, startedAt, auditTime(), trail),
    };
    return deny;
  }

  // Blocked peers, peer rate limits and fail-closed audit are refused before any token work.
  function pipeline(
    facts: RequestFacts,
    requirement: Requirement | undefined,
    startedAt: number,
    trail: TrailContext,
  ): Promised<Decision> {
    const plan = layer.authoriser.plan(facts, requirement);
    const refusal = monitor.admit(facts);
    const outcome: Promised<Outcome> = isPromise(refusal)
      ? refusal.then((refused) => refused ?? decide(facts, plan))
      : (refusal ?? decide(facts, plan));
    if (!isPromise(outcome))
      return monitor.review(toDecision(facts, plan.requirement, outcome, startedAt, trail));
    return outcome.then((done) =>
      monitor.review(toDecision(facts, plan.requirement, done, startedAt, trail)),
    );
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

  function finish(evaluation: Evaluation, decision: Decision, deferAudit: boolean): Decision {
    evaluation.end(decision.audit);
    return deferAudit ? decision : monitor.commit(decision);
  }

  // A decision now when nothing on the way is asynchronous (measured in the benchmarks), else a promise of it.
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
      pending = fault(facts, error, startedAt, trail);
    }
    if (isPromise(pending)) {
      return pending.then(
        (decision) => finish(evaluation, decision, deferAudit),
        (error: unknown) => finish(evaluation, fault(facts, error, startedAt, trail), deferAudit),
      );
    }
    return finish(evaluation, pending, deferAudit);
  }

  function evaluateNow(
    facts: RequestFacts,
    requirement: Requirement | undefined,
    evaluateOptions?: EvaluateOptions,
  ): Promised<Decision> {
    const evaluation = monitor.begin(facts);
    const deferAudit = Boolean(evaluateOptions?.deferAudit);
    return evaluation.run(() => settle(evaluation, facts, requirement, deferAudit));
  }

  const guard: InternalGuard = {
    evaluate(facts, requirement, evaluateOptions) {
      try {
        return Promise.resolve(evaluateNow(facts, requirement, evaluateOptions));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    [EVALUATE_NOW]: evaluateNow,
    recordAudit(decision, completion) {
      monitor.record(completedEvent(decision, completion));
    },
    async ready() {
      await Promise.all([...issuers.values()].map((issuer) => issuer.keySource.warmUp()));
    },
    async close() {
      await monitor.close();
      await close();
    },
    flushAudit: (timeoutMs) => monitor.flush(timeoutMs),
    auditHealth: () => monitor.stats(),
    revocation: layer.revocation,
    keys: createKeyControl(new Map([...table].map(([name, issuer]) => [name, issuer.keySource])), keyEvents),
    resourceMetadata: layer.resourceMetadata,
    policy: layer.view,
  };
  return guard;
}
