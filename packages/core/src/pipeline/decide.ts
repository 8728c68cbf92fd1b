/**
 * The token steps of one request: extract the credential, verify it (or find it in the token cache) and
 * authorise it against the route's plan. Synchronous on a cache hit with in-process stores; a promise only
 * where something is awaited (measured in the benchmarks).
 */
import { hash } from 'node:crypto';
import type { Outcome } from '../audit/audit-event.js';
import type { CertificateCheck } from '../bind/client-certificate.js';
import { type ExtractionSettings, extractCredential } from '../extract/extract.js';
import type { RequestFacts } from '../model/facts.js';
import { isPromise } from '../model/maybe-async.js';
import type { Authorisation, Authoriser, Plan } from '../policy/authorise.js';
import type { TokenCache } from '../token/token-cache.js';
import { type ResolvedIssuer, type VerifiedToken, verifyAccessToken } from '../token/verify-token.js';

/** A value now, or a (native) promise of it. */
export type Promised<T> = T | Promise<T>;

/** What the token steps need from the guard. */
export interface DeciderSettings {
  readonly extraction: ExtractionSettings;
  readonly issuers: ReadonlyMap<string, ResolvedIssuer>;
  readonly cache: TokenCache | undefined;
  readonly authoriser: Authoriser;
  /** Checks the client certificate of certificate-bound tokens (`mtls` option); absent: none are accepted. */
  readonly certificates: CertificateCheck | undefined;
  /** The guard's clock for decisions; throws on a faulty clock (the caller turns that into a deny). */
  readonly currentTime: () => number;
}

/** Decides the outcome of one request's credentials against its plan. */
export type Decide = (facts: RequestFacts, plan: Plan) => Promised<Outcome>;

/**
 * Creates the token steps of a guard.
 *
 * @example
 * ```ts
 * const decide = createDecider({ extraction, issuers, cache, authoriser, certificates, currentTime });
 * const outcome = decide(facts, authoriser.plan(facts, requirement));
 * ```
 */
export function createDecider(settings: DeciderSettings): Decide {
  const { extraction, issuers, cache, authoriser, certificates, currentTime } = settings;

  function authorised(
    plan: Plan,
    token: VerifiedToken,
    facts: RequestFacts,
    now: number,
    fingerprint: string,
    cacheHit: boolean,
    queryToken: boolean,
  ): Promised<Outcome> {
    // The proof of possession belongs to this request, never to the cached token: checked on every one (M-2).
    const { binding } = token.principal;
    if (binding.type === 'mtls') {
      const detail = certificates
        ? certificates(binding.certificateThumbprint, facts)
        : 'certificate-bound tokens are not accepted (no mtls option)';
      if (detail !== undefined)
        return { code: 'ERR_CERTIFICATE_MISMATCH', detail, token, fingerprint, cacheHit };
    }
    const result = authoriser.authorise(plan, token, facts, now / 1000);
    const outcomeOf = (done: Authorisation): Outcome => {
      if (done.code !== 'OK') return { ...done, token, fingerprint, cacheHit };
      return done.dryRun
        ? { code: 'OK', dryRun: done.dryRun, token, fingerprint, cacheHit, queryToken }
        : { code: 'OK', token, fingerprint, cacheHit, queryToken };
    };
    return isPromise(result) ? result.then(outcomeOf) : outcomeOf(result);
  }

  return function decide(facts, plan) {
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
  };
}
