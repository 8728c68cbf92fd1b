/**
 * The token steps of one request: extract the credential, verify it (or find it in the token cache) and
 * authorise it against the route's plan. Synchronous on a cache hit with in-process stores; a promise only
 * where something is awaited (measured in the benchmarks).
 */
import { hash } from 'node:crypto';
import type { Outcome } from '../audit/audit-event.js';
import type { Bind, BindResult } from '../bind/sender-binding.js';
import type { WorkloadReader } from '../bind/workload-identity.js';
import { type Extraction, type ExtractionSettings, extractCredential } from '../extract/extract.js';
import type { RequestFacts } from '../model/facts.js';
import { isPromise } from '../model/maybe-async.js';
import type { Authorisation, Authoriser, Plan } from '../policy/authorise.js';
import type { Introspection, Introspector } from '../token/introspector.js';
import type { TokenCache } from '../token/token-cache.js';
import {
  type ResolvedIssuer,
  type Verification,
  type VerifiedToken,
  verifyAccessToken,
} from '../token/verify-token.js';

/** A value now, or a (native) promise of it. */
export type Promised<T> = T | Promise<T>;

/** What the token steps need from the guard. */
export interface DeciderSettings {
  readonly extraction: ExtractionSettings;
  readonly issuers: ReadonlyMap<string, ResolvedIssuer>;
  readonly cache: TokenCache | undefined;
  /** RFC 7662 introspection of opaque tokens, when an issuer is configured for it. */
  readonly introspector?: Introspector | undefined;
  readonly authoriser: Authoriser;
  /** The bind step: the request's proof of possession of what the token is bound to. */
  readonly bind: Bind;
  /** The calling workload from a verified client certificate (`mtls` option); absent: not read. */
  readonly workloads?: WorkloadReader | undefined;
  /** The guard's clock for decisions; throws on a faulty clock (the caller turns that into a deny). */
  readonly currentTime: () => number;
}

/** A credential found in a request. */
type Credential = Extract<Extraction, { kind: 'token' }>;

/** Decides the outcome of one request's credentials against its plan. */
export type Decide = (facts: RequestFacts, plan: Plan) => Promised<Outcome>;

/** The outcome of an authorisation, carrying what the audit event records about the token. */
function outcomeOf(
  done: Authorisation,
  token: VerifiedToken,
  fingerprint: string,
  cacheHit: boolean,
  credential: Credential,
  headers: Readonly<Record<string, string>> | undefined,
): Outcome {
  if (done.code !== 'OK')
    return { ...done, token, fingerprint, cacheHit, scheme: credential.scheme, headers };
  const queryToken = credential.location === 'query';
  return done.dryRun
    ? { code: 'OK', dryRun: done.dryRun, token, fingerprint, cacheHit, queryToken, headers }
    : { code: 'OK', token, fingerprint, cacheHit, queryToken, headers };
}

/**
 * Creates the token steps of a guard.
 *
 * @example
 * ```ts
 * const decide = createDecider({ extraction, issuers, cache, authoriser, bind, currentTime });
 * const outcome = decide(facts, authoriser.plan(facts, requirement));
 * ```
 */
export function createDecider(settings: DeciderSettings): Decide {
  const { extraction, issuers, cache, introspector, authoriser, bind, workloads, currentTime } = settings;

  function authorised(
    plan: Plan,
    token: VerifiedToken,
    facts: RequestFacts,
    now: number,
    fingerprint: string,
    cacheHit: boolean,
    credential: Credential,
    headers: Readonly<Record<string, string>> | undefined,
  ): Promised<Outcome> {
    // The workload is the connection's, never the cached token's: a principal of its own for this request.
    const workload = workloads?.(facts);
    if (workload) token = { ...token, principal: Object.freeze({ ...token.principal, workload }) };
    const result = authoriser.authorise(plan, token, facts, now / 1000);
    // No closure on the synchronous path: a cache hit allocates only its outcome (measured in the benchmarks).
    if (!isPromise(result)) return outcomeOf(result, token, fingerprint, cacheHit, credential, headers);
    return result.then((done) => outcomeOf(done, token, fingerprint, cacheHit, credential, headers));
  }

  // The bind step runs on every request, cache hit or not: a cached verification never stands in for the
  // proof of possession (RFC 9449 §7.1, D-14).
  function bound(
    plan: Plan,
    token: VerifiedToken,
    facts: RequestFacts,
    now: number,
    key: string,
    cacheHit: boolean,
    credential: Credential,
  ): Promised<Outcome> {
    const fingerprint = key.slice(0, 16);
    const { binding } = token.principal;
    // A plain bearer token as a Bearer credential has nothing to prove: no call, no allocation.
    if (credential.scheme === 'bearer' && binding.type === 'none') {
      return authorised(plan, token, facts, now, fingerprint, cacheHit, credential, undefined);
    }
    const request = { method: facts.method, target: facts.target, tokenHash: key, nowSeconds: now / 1000 };
    const result = bind(credential, binding, request, facts);
    const after = (done: BindResult): Promised<Outcome> => {
      if (done.ok)
        return authorised(plan, token, facts, now, fingerprint, cacheHit, credential, done.headers);
      const { code, detail, scheme, headers, retryAfterSeconds } = done;
      // No principal without the proof of possession: the refusal names the issuer only, so nothing keyed
      // on the principal or the token (detectors, limits) acts on a presentation that proved nothing.
      const { issuer } = token.principal;
      const refusal: Outcome = { code, detail, scheme, headers, issuer, fingerprint, cacheHit };
      return retryAfterSeconds === undefined ? refusal : { ...refusal, retryAfterSeconds };
    };
    return isPromise(result) ? result.then(after) : after(result);
  }

  return function decide(facts, plan) {
    const credential = extractCredential(facts, extraction);
    if (credential.kind === 'error') {
      return { code: credential.code, detail: credential.detail, scheme: credential.scheme };
    }
    // Deny by default: a route nobody declared is refused whatever credentials come with it.
    if (plan.refusal) return plan.refusal;
    if (credential.kind === 'none') {
      if (!plan.isPublic) return { code: 'ERR_NO_CREDENTIALS' };
      return plan.shadow ? { code: 'OK', dryRun: plan.shadow } : { code: 'OK' };
    }
    // Also the DPoP proof's expected `ath` (RFC 9449 §4.2): base64url(SHA-256(token)).
    const key = hash('sha256', credential.token, 'base64url');
    const now = currentTime();
    const cached = cache?.get(key, now);
    if (cached) return bound(plan, cached, facts, now, key, true, credential);
    const target = introspector?.route(credential.token);
    if (introspector && target) {
      // The answer (or its cached copy) is a verified token like a JWT's: bind and authorise still run
      // on every request, so a cached answer never stands in for this route's requirement.
      const answer = introspector.introspect(target, credential.token, key, now);
      const introspected = (result: Introspection): Promised<Outcome> =>
        result.ok
          ? bound(plan, result.token, facts, now, key, result.cacheHit, credential)
          : { ...result, fingerprint: key.slice(0, 16), scheme: credential.scheme };
      return isPromise(answer) ? answer.then(introspected) : introspected(answer);
    }
    // Synchronous when the issuer's keys are at hand: a miss costs no promise of its own (measured in the benchmarks).
    const pending = verifyAccessToken(credential.token, issuers, now / 1000);
    if (!isPromise(pending)) return verified(pending, plan, facts, now, key, credential);
    return pending.then((verification) => verified(verification, plan, facts, now, key, credential));
  };

  // A verification's outcome: its refusal, or the token offered to the cache and bound to the request.
  function verified(
    verification: Verification,
    plan: Plan,
    facts: RequestFacts,
    now: number,
    key: string,
    credential: Credential,
  ): Promised<Outcome> {
    if (!verification.ok) {
      return { ...verification, fingerprint: key.slice(0, 16), scheme: credential.scheme };
    }
    cache?.set(key, verification.token, now);
    return bound(plan, verification.token, facts, now, key, false, credential);
  }
}
