/**
 * Opaque access tokens, verified by asking their issuer (RFC 7662): which tokens go to introspection and
 * to which issuer, the answer cache, one call per token at a time (single flight: a burst of requests with
 * the same new token costs one round trip), the circuit breaker, and a report per call for metrics and the
 * operational log. A provider that cannot answer is a 503 with `Retry-After` (ERR_INTROSPECTION_UNAVAILABLE),
 * never an allow and never cached.
 */
import { endpointOf as discoveredEndpoint, discoverMetadata } from '../keys/discovery.js';
import type { JsonFetcher } from '../keys/fetch-json.js';
import { parseCompactJws } from './compact-jws.js';
import { verifyIntrospectionAnswer } from './introspection-answer.js';
import { createBreaker } from './introspection-breaker.js';
import { createIntrospectionCache } from './introspection-cache.js';
import {
  createIntrospectionCall,
  type IntrospectionBody,
  IntrospectionCallError,
} from './introspection-call.js';
import { createEndpointLocator } from './introspection-endpoint.js';
import { verifyIntrospectionJwt } from './introspection-jwt.js';
import type { ResolvedIntrospection } from './introspection-options.js';
import type { ResolvedIssuer, Verification } from './verify-token.js';

/** One introspection call's outcome, for metrics and the operational log (never the token). */
export interface IntrospectionReport {
  readonly issuer: string;
  /** `active`, `inactive` (or refused by this API's rules), `unavailable`, or `circuit-open` (no call made). */
  readonly outcome: 'active' | 'inactive' | 'unavailable' | 'circuit-open';
  /** Why the provider could not answer (`timeout`, `http-status`, `discovery`…), for `unavailable`. */
  readonly reason?: string;
  readonly durationMs: number;
}

/** An issuer that introspects, with its options. */
export interface IntrospectingIssuer {
  readonly issuer: ResolvedIssuer;
  readonly introspection: ResolvedIntrospection;
  /** How its discovery document is found when no endpoint is configured. */
  readonly discovery: 'openid-configuration' | 'oauth-authorization-server';
}

/** A verification by introspection, and whether it came from the answer cache. */
export type Introspection = Verification & { readonly cacheHit: boolean };

/** The introspection step of a guard. */
export interface Introspector {
  /** The issuer `token` is introspected at, or undefined when it is verified locally as a JWT. */
  route(token: string): IntrospectingIssuer | undefined;
  /** Verifies `token` (whose SHA-256 is `key`) at `target`; synchronous on a cache hit or an open breaker. */
  introspect(
    target: IntrospectingIssuer,
    token: string,
    key: string,
    nowMs: number,
  ): Introspection | Promise<Introspection>;
  close(): void;
}

/** What the introspector needs from the guard. */
export interface IntrospectorSettings {
  /** The single introspecting issuer, or the one marked `default`: where opaque tokens go. */
  readonly fallback: IntrospectingIssuer;
  /** Issuers whose JWTs are introspected too (`mode: 'all'`), by name. */
  readonly allTokens: ReadonlyMap<string, IntrospectingIssuer>;
  readonly fetchJson: JsonFetcher;
  /** Extra trusted CA certificates (PEM) for the introspection call: `keyFetch.ca`. */
  readonly ca?: string | readonly string[] | undefined;
  readonly maxEntries: number;
  /** Milliseconds since the epoch (the breaker's and the cache's clock after a call). */
  readonly clock: () => number;
  readonly onReport: (report: IntrospectionReport) => void;
}

// A compact JWS has exactly two dots (RFC 7515 §7.1); anything else is opaque to this API.
function isJwsShaped(token: string): boolean {
  const second = token.indexOf('.', token.indexOf('.') + 1);
  return second > 0 && token.indexOf('.', second + 1) === -1;
}

/**
 * Creates the introspection step.
 *
 * @example
 * ```ts
 * const introspector = createIntrospector({ fallback, allTokens, fetchJson, maxEntries, clock, onReport });
 * const target = introspector.route(token);
 * ```
 */
export function createIntrospector(settings: IntrospectorSettings): Introspector {
  const { fallback, allTokens, fetchJson, clock, onReport } = settings;
  const cache = createIntrospectionCache(settings.maxEntries);
  const inFlight = new Map<string, Promise<Introspection>>();
  const targets = new Map<IntrospectingIssuer, ReturnType<typeof endpointOf>>();

  function endpointOf(target: IntrospectingIssuer) {
    const { introspection, issuer, discovery } = target;
    const { call, close } = createIntrospectionCall({
      ...introspection,
      issuer: issuer.issuer,
      ca: settings.ca,
      clock,
    });
    const locate = createEndpointLocator(issuer.issuer, discovery, introspection, fetchJson);
    return { call, close, locate, breaker: createBreaker(introspection.breaker) };
  }
  // A signed answer (RFC 9701) is verified before its `token_introspection` member counts.
  const answerOf = (body: IntrospectionBody, target: IntrospectingIssuer) =>
    'json' in body
      ? body.json
      : verifyIntrospectionJwt(body.jwt, target.issuer, target.introspection.clientId, clock() / 1000);
  const partsOf = (target: IntrospectingIssuer) => {
    let parts = targets.get(target);
    if (parts) return parts;
    parts = endpointOf(target);
    targets.set(target, parts);
    return parts;
  };

  async function callProvider(
    target: IntrospectingIssuer,
    token: string,
    key: string,
  ): Promise<Introspection> {
    const parts = partsOf(target);
    const { issuer, introspection } = target;
    const started = clock();
    try {
      const { endpoint, format } = await parts.locate();
      const answer = await answerOf(await parts.call(endpoint, token, format), target);
      const now = clock();
      parts.breaker.record(true, now);
      const nowSeconds = now / 1000;
      const result = verifyIntrospectionAnswer(
        answer,
        issuer,
        nowSeconds,
        nowSeconds + introspection.cacheTtlSeconds,
      );
      if (result.ok) {
        if (introspection.cacheTtlSeconds > 0) cache.keepActive(key, result.token, now);
      } else if (introspection.inactiveCacheTtlSeconds > 0) {
        cache.keepRefused(key, result, now + introspection.inactiveCacheTtlSeconds * 1000);
      }
      onReport({
        issuer: issuer.issuer,
        outcome: result.ok ? 'active' : 'inactive',
        durationMs: now - started,
      });
      return { ...result, cacheHit: false };
    } catch (error) {
      const now = clock();
      parts.breaker.record(false, now);
      const reason = error instanceof IntrospectionCallError ? error.reason : 'discovery';
      onReport({ issuer: issuer.issuer, outcome: 'unavailable', reason, durationMs: now - started });
      return unavailable(issuer.issuer, `introspection failed: ${reason}`, parts.breaker.openFor(now));
    }
  }

  return {
    route(token) {
      if (!isJwsShaped(token)) return fallback;
      if (allTokens.size === 0) return undefined;
      // The issuer is read before any check only to pick the allow-listed configuration (as for JWTs).
      const parsed = parseCompactJws(token);
      const iss = parsed.ok ? parsed.jws.payload.iss : undefined;
      return typeof iss === 'string' ? allTokens.get(iss) : undefined;
    },
    introspect(target, token, key, nowMs) {
      const active = cache.active(key, nowMs);
      if (active) return { ok: true, token: active, cacheHit: true };
      const refused = cache.refused(key, nowMs);
      if (refused) return { ...refused, cacheHit: true };
      const pending = inFlight.get(key);
      if (pending) return pending;
      const { breaker } = partsOf(target);
      const openFor = breaker.openFor(nowMs);
      if (openFor > 0) {
        onReport({ issuer: target.issuer.issuer, outcome: 'circuit-open', durationMs: 0 });
        return unavailable(target.issuer.issuer, 'introspection circuit open', openFor);
      }
      const call = callProvider(target, token, key).finally(() => inFlight.delete(key));
      inFlight.set(key, call);
      return call;
    },
    close() {
      for (const parts of targets.values()) parts.close();
    },
  };
}

function unavailable(issuer: string, detail: string, openForMs: number): Introspection {
  return {
    ok: false,
    code: 'ERR_INTROSPECTION_UNAVAILABLE',
    detail,
    issuer,
    retryAfterSeconds: Math.max(1, Math.ceil(openForMs / 1000)),
    cacheHit: false,
  };
}
