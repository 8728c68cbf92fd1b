/**
 * The guard: extract → verify → authorise → record, for one request at a time. `evaluate` never throws
 * for anything a request did; an unexpected internal fault becomes a deny (fail closed).
 */
import { hash } from 'node:crypto';
import { AUDIT_SCHEMA, type AuditEvent, emitAudit } from './audit.js';
import { type AllowDecision, type Decision, type DenyDecision, denyResponse } from './decision.js';
import type { ErrorCode } from './errors.js';
import { type ExtractionSettings, extractCredential } from './extract.js';
import { type RequestFacts, targetPath } from './facts.js';
import { createJsonFetcher } from './fetch-json.js';
import { resolveIssuers } from './issuers.js';
import { type GuardOptions, validateOptions } from './options.js';
import { AUTHENTICATED, checkRequirement, type Requirement, requiredScopesOf } from './requirements.js';
import { createTokenCache, type TokenCache } from './token-cache.js';
import { type ResolvedIssuer, type VerifiedToken, verifyAccessToken } from './verify-token.js';

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
  /** Decides about one request; `requirement` defaults to "any valid access token". Never rejects. */
  evaluate(facts: RequestFacts, requirement?: Requirement, options?: EvaluateOptions): Promise<Decision>;
  /** Emits the audit event of a decision made with `deferAudit`, completed with how the request ended. */
  recordAudit(decision: Decision, completion: Completion): void;
  /** Loads every issuer's keys now; rejects with the first issuer whose keys cannot be loaded. */
  ready(): Promise<void>;
  /** Releases connections held for key fetching. */
  close(): Promise<void>;
}

interface Outcome {
  readonly code: ErrorCode | 'OK';
  readonly detail?: string;
  readonly issuer?: string;
  readonly token?: VerifiedToken;
  readonly fingerprint?: string;
  readonly cacheHit?: boolean;
  readonly challenge?: Readonly<Record<string, string>>;
  readonly retryAfterSeconds?: number;
  readonly queryToken?: boolean;
}

function auditEvent(
  facts: RequestFacts,
  requirement: Requirement,
  outcome: Outcome,
  status: number,
  startedAt: number,
  now: number,
): AuditEvent {
  const principal = outcome.token?.principal;
  return {
    schema: AUDIT_SCHEMA,
    time: new Date(now).toISOString(),
    outcome: status < 400 ? 'allow' : 'deny',
    reason: outcome.code,
    status,
    method: facts.method,
    path: targetPath(facts.target),
    route: facts.routeId,
    remoteAddress: facts.remoteAddress,
    issuer: principal?.issuer ?? outcome.issuer,
    subject: principal?.subject,
    clientId: principal?.clientId,
    principalKind: principal?.kind,
    tokenId: principal?.tokenId,
    keyId: outcome.token?.keyId,
    tokenFingerprint: outcome.fingerprint,
    requirement: requirement.type === 'scopes' ? `scopes:${requirement.match}` : requirement.type,
    requiredScopes: requiredScopesOf(requirement),
    grantedScopes: principal?.scopes,
    cacheHit: outcome.cacheHit ?? false,
    durationMs: performance.now() - startedAt,
    detail: outcome.detail,
  };
}

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
  const { fetchJson, close } = createJsonFetcher(validated.keyFetch);
  const issuers: ReadonlyMap<string, ResolvedIssuer> = resolveIssuers(validated, fetchJson);
  const cache: TokenCache | undefined =
    validated.cache === false ? undefined : createTokenCache(validated.cache);
  const extraction: ExtractionSettings = {
    allowQueryToken: validated.allowQueryToken,
    maxTokenBytes: validated.maxTokenBytes,
  };
  const { clock, realm, onAudit } = validated;

  async function decide(facts: RequestFacts, requirement: Requirement): Promise<Outcome> {
    const credential = extractCredential(facts, extraction);
    if (credential.kind === 'error') return { code: credential.code, detail: credential.detail };
    if (credential.kind === 'none') {
      return requirement.type === 'public' ? { code: 'OK' } : { code: 'ERR_NO_CREDENTIALS' };
    }
    const key = hash('sha256', credential.token, 'base64url');
    const fingerprint = key.slice(0, 16);
    const queryToken = credential.location === 'query';
    const now = clock();
    let token = cache?.get(key, now);
    const cacheHit = token !== undefined;
    if (!token) {
      const verification = await verifyAccessToken(credential.token, issuers, now / 1000);
      if (!verification.ok) return { ...verification, fingerprint };
      token = verification.token;
      cache?.set(key, token, now);
    }
    const check = checkRequirement(requirement, token);
    if (!check.ok) return { code: check.code, challenge: check.challenge, token, fingerprint, cacheHit };
    return { code: 'OK', token, fingerprint, cacheHit, queryToken };
  }

  function toDecision(
    facts: RequestFacts,
    requirement: Requirement,
    outcome: Outcome,
    startedAt: number,
  ): Decision {
    if (outcome.code === 'OK') {
      const allow: Omit<AllowDecision, 'audit'> = {
        outcome: 'allow',
        principal: outcome.token?.principal,
        // B-5: a response to a request that carried its token in the URL must not be cached publicly.
        headers: outcome.queryToken ? { 'cache-control': 'private' } : {},
      };
      return { ...allow, audit: auditEvent(facts, requirement, outcome, 200, startedAt, clock()) };
    }
    const code = outcome.code === 'ERR_CONFIG' ? 'ERR_INTERNAL' : outcome.code;
    const response = denyResponse(code, {
      realm,
      ...(outcome.challenge ? { challenge: outcome.challenge } : {}),
      ...(outcome.retryAfterSeconds !== undefined ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
    });
    const deny: DenyDecision = {
      ...response,
      audit: auditEvent(facts, requirement, outcome, response.status, startedAt, clock()),
    };
    return deny;
  }

  return {
    async evaluate(facts, requirement = AUTHENTICATED, evaluateOptions) {
      const startedAt = performance.now();
      let decision: Decision;
      try {
        decision = toDecision(facts, requirement, await decide(facts, requirement), startedAt);
      } catch (error) {
        const detail = `internal fault: ${error instanceof Error ? error.name : typeof error}`;
        decision = toDecision(facts, AUTHENTICATED, { code: 'ERR_INTERNAL', detail }, startedAt);
      }
      if (!evaluateOptions?.deferAudit) emitAudit(onAudit, decision.audit);
      return decision;
    },
    recordAudit(decision, completion) {
      const event: AuditEvent = {
        ...decision.audit,
        status: completion.status,
        outcome: decision.outcome,
        ...(completion.handlerDurationMs !== undefined
          ? { handlerDurationMs: completion.handlerDurationMs }
          : {}),
      };
      emitAudit(onAudit, event);
    },
    async ready() {
      await Promise.all([...issuers.values()].map((issuer) => issuer.keySource.warmUp()));
    },
    close,
  };
}
