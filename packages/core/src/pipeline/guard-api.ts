/**
 * What a guard offers: the public {@link Guard} contract adapters and applications program against, and
 * the internal seam the core's request gate uses to skip a promise when nothing had to be awaited.
 */
import type { GuardHealth } from '../audit/guard-health.js';
import type { AuditSinkStats } from '../audit/pipeline.js';
import type { KeyControl } from '../keys/guard-keys.js';
import type { Decision } from '../model/decision.js';
import type { RequestFacts } from '../model/facts.js';
import type { PolicyView } from '../policy/policy-layer.js';
import type { Requirement, RequirementLike } from '../policy/requirements.js';
import type { ResourceMetadataEndpoint } from '../policy/resource-metadata.js';
import type { Revocation } from '../policy/revocation.js';
import type { SignalEndpoint } from '../signals/signal-endpoint.js';

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
  evaluate(facts: RequestFacts, requirement?: RequirementLike, options?: EvaluateOptions): Promise<Decision>;
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
  /**
   * Whether this instance can serve, for readiness probes: per issuer the key set's state, age and last
   * failure; per audit sink whether it takes records; per store whether it faulted in the last 30 s.
   */
  health(): GuardHealth;
  /** Revokes tokens by issuer + `jti`, or every token of a subject or client up to a point in time. */
  readonly revocation: Revocation;
  /** Withdraws and restores issuer keys (audited, immediate, cached tokens included); key-set health. */
  readonly keys: KeyControl;
  /** The RFC 9728 metadata endpoint adapters serve, when `resourceMetadata` is configured. */
  readonly resourceMetadata: ResourceMetadataEndpoint | undefined;
  /**
   * The identity provider's signal endpoints adapters serve before authentication: back-channel logout
   * and Shared Signals push, when configured (`backChannelLogout`, `sharedSignals`).
   */
  readonly signals: readonly SignalEndpoint[];
  /** Strict mode, dry-run and the compiled policy table, for adapters and coverage reports. */
  readonly policy: PolicyView;
}

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
