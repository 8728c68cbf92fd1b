/**
 * What a step of the tour is: it says what it shows, builds one HTTP request (sent once, or as a bounded
 * burst), names the status and the audit reason the API must answer with, and may check more — a challenge
 * parameter, a detection record, a metrics scrape. Also the small helpers steps share.
 */
import type { AuditEvent } from '@nevertrust/core';
import type { ClientCertificate } from '@nevertrust/testkit';
import { fingerprint } from './run-tour.js';
import { type TourContext, unverifiedClaims } from './tour-context.js';

/** The request of one step. */
export interface TourRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly token?: string;
  /** What the token is, in words (the token itself is never printed). */
  readonly tokenNote?: string;
  readonly body?: Record<string, unknown>;
  /**
   * A DPoP proof (RFC 9449 §4): the token then goes with the `DPoP` scheme and this in the `DPoP` header.
   * Like the token, it is never printed.
   */
  readonly dpopProof?: string;
  /** What the proof is, in words. */
  readonly proofNote?: string;
  /** With `--instances 2`: which instance the request goes to (0, the default, is `api.url`). */
  readonly instance?: number;
  /** Sent to the API's HTTPS listener, presenting `certificate` (none when absent), described in `note`. */
  readonly overTls?: { readonly certificate?: ClientCertificate; readonly note: string };
}

/** The API's answer to a step's (last) request, with the decision the guard recorded for it. */
export interface TourResponse {
  readonly status: number;
  readonly body: string;
  readonly challenge?: string;
  readonly retryAfter?: string;
  /** The `DPoP-Nonce` header (RFC 9449 §9), when the API sent one. */
  readonly dpopNonce?: string;
  readonly event?: AuditEvent;
}

/** What a step's own check found: lines to print, and why the step failed, if it did. */
export interface StepCheck {
  readonly notes?: readonly string[];
  readonly failure?: string;
}

/** One step of the tour. */
export interface TourStep {
  readonly title: string;
  /** One sentence: what this step demonstrates. */
  readonly why: string;
  request(context: TourContext): Promise<TourRequest>;
  /** Send the request again until the expected status comes back, at most this many times in all. */
  readonly repeatUpTo?: number;
  /** Further checks on the response; never given a token to print. */
  check?(response: TourResponse, context: TourContext): Promise<StepCheck>;
  readonly expect: { readonly status: number; readonly reason: string };
}

/**
 * The same claims with some changed, under the original header and signature: what an attacker can do.
 *
 * @example
 * ```ts
 * tamper(token, { scope: 'orders:read orders:write' });
 * ```
 */
export function tamper(token: string, changes: Record<string, unknown>): string {
  const [header = '', , signature = ''] = token.split('.');
  const claims = Buffer.from(JSON.stringify({ ...unverifiedClaims(token), ...changes })).toString(
    'base64url',
  );
  return `${header}.${claims}.${signature}`;
}

/**
 * `request` with a service token of `clientId` for `scope`, described in words.
 *
 * @example
 * ```ts
 * await asService(context, 'reporting-service', 'orders:read', { method: 'GET', path: '/orders' });
 * ```
 */
export async function asService(
  context: TourContext,
  clientId: string,
  scope: string,
  request: Omit<TourRequest, 'token' | 'tokenNote'>,
): Promise<TourRequest> {
  const token = await context.serviceToken(clientId, scope);
  return { ...request, token, tokenNote: `service token of ${clientId}, scope "${scope}"` };
}

/**
 * `request` with the access token of `user`'s sign-in (a fresh one asking for `acrValues`, when given).
 *
 * @example
 * ```ts
 * await asUser(context, 'alice', { method: 'GET', path: '/users/alice/orders' });
 * ```
 */
export async function asUser(
  context: TourContext,
  user: string,
  request: Omit<TourRequest, 'token' | 'tokenNote'>,
  acrValues?: string,
): Promise<TourRequest> {
  const { accessToken } = await context.userTokens(user, acrValues);
  const how = acrValues === undefined ? '' : `, from a fresh sign-in with acr_values=${acrValues}`;
  return {
    ...request,
    token: accessToken,
    tokenNote: `access token of user ${user} (client orders-web)${how}`,
  };
}

/**
 * Revokes `token` by issuer + `jti` through `context.revocation`, as an operator would: found in the audit
 * trail by fingerprint (the trail never holds the token itself). Resolves with the call's duration in ms.
 *
 * @example
 * ```ts
 * await revokeAsOperator(context, request.token, "bob's token");
 * ```
 */
export async function revokeAsOperator(
  context: TourContext,
  token: string | undefined,
  what: string,
): Promise<number> {
  const seen = context.trail.events.findLast(
    (event) =>
      event.outcome === 'allow' && token !== undefined && event.tokenFingerprint === fingerprint(token),
  );
  if (seen?.issuer === undefined || seen.tokenId === undefined) {
    throw new Error(`${what} is not in the audit trail with an issuer and a jti`);
  }
  const started = performance.now();
  await context.revocation.revokeToken({ issuer: seen.issuer, tokenId: seen.tokenId });
  const took = performance.now() - started;
  context.say(`revoked through guard.revocation.revokeToken: issuer ${seen.issuer}, jti ${seen.tokenId}`);
  return took;
}

/**
 * Passes when the challenge carries `param="value"`.
 *
 * @example
 * ```ts
 * check: async (response) => challengeHas(response, 'error', 'invalid_token'),
 * ```
 */
export function challengeHas(response: TourResponse, param: string, value: string): StepCheck {
  const found = response.challenge?.includes(`${param}="${value}"`) ?? false;
  return found
    ? { notes: [`the challenge asks for ${param}="${value}"`] }
    : { failure: `the challenge does not carry ${param}="${value}"` };
}
