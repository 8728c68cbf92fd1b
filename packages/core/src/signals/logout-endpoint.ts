/**
 * The OpenID Connect Back-Channel Logout 1.0 endpoint (§2.5, §2.8): `POST` of an
 * `application/x-www-form-urlencoded` body with one `logout_token`. A verified logout token cuts off the
 * user's tokens (by `sub` and/or `sid`) and is answered `200` with `Cache-Control: no-store`; anything else
 * `400` with an OAuth-style `{ error: 'invalid_request', error_description }` body; a fault of the API's
 * own stores or of the provider's key endpoint `503` with `Retry-After`.
 */
import { type SessionScope, sessionCutOffs } from './cut-off.js';
import { createEventReceiver, type ReceiverContext, type Reception } from './event-receiver.js';
import { BACKCHANNEL_LOGOUT_EVENT, logoutTarget } from './logout-token.js';
import type { ReplayStore } from './replay-store.js';
import { requestProblem, type SignalEndpoint, type SignalResponse } from './signal-endpoint.js';
import type { EventSender } from './verify-signed-event.js';

/** The settled settings of the endpoint. */
export interface LogoutEndpointSettings {
  readonly path: string;
  /** The client ids a logout token's `aud` must name one of. */
  readonly clientIds: readonly string[];
  /** The issuers whose logout tokens are accepted, with their own key sources. */
  readonly senders: ReadonlyMap<string, EventSender>;
  readonly scope: SessionScope;
  readonly maxAgeSeconds: number;
  readonly maxBodyBytes: number;
  readonly clockToleranceSeconds: number;
  readonly replay: ReplayStore;
}

const FORM = 'application/x-www-form-urlencoded';

function answer(status: number, description?: string, retryAfter?: number): SignalResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (description === undefined) return { status, headers, body: '' };
  headers['content-type'] = 'application/json';
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (status === 405) headers.allow = 'POST';
  const error = status === 503 ? 'temporarily_unavailable' : 'invalid_request';
  return { status, headers, body: JSON.stringify({ error, error_description: description }) };
}

const statusOf = (reception: Reception): number => {
  if (reception.ok) return 200;
  return reception.refusal.code === 'ERR_SIGNAL_UNAVAILABLE' ? 503 : 400;
};

/**
 * Creates the back-channel logout endpoint.
 *
 * @example
 * ```ts
 * const endpoint = createLogoutEndpoint(settings, { revocation, record, currentTime, auditTime });
 * const response = await endpoint.respond({ method: 'POST', contentType: FORM, body: 'logout_token=…' });
 * ```
 */
export function createLogoutEndpoint(
  settings: LogoutEndpointSettings,
  context: ReceiverContext,
): SignalEndpoint {
  const rules = {
    // §2.4: explicit typing is RECOMMENDED, not required, so an untyped logout token is valid; any other
    // typ (an ID token's `JWT`, an access token's `at+jwt`) is refused.
    types: ['logout+jwt', undefined],
    audiences: new Set(settings.clientIds),
    maxAgeSeconds: settings.maxAgeSeconds,
    clockToleranceSeconds: settings.clockToleranceSeconds,
  };
  const receive = createEventReceiver(
    {
      channel: 'backchannel-logout',
      senders: settings.senders,
      rulesOf: () => rules,
      replay: settings.replay,
      onReplay: 'refuse',
      interpret(payload, events, sender) {
        const target = logoutTarget(payload, events);
        if ('code' in target) return target;
        const cuts = sessionCutOffs([sender.issuer], target.subject, target.sessionId, settings.scope);
        return { cuts, event: BACKCHANNEL_LOGOUT_EVENT };
      },
    },
    context,
  );
  return {
    path: settings.path,
    maxBodyBytes: settings.maxBodyBytes,
    async respond(request) {
      const { remoteAddress } = request;
      const problem = requestProblem(request, FORM);
      if (problem) {
        const refusal = { code: 'ERR_SIGNAL_REQUEST', detail: problem.detail } as const;
        await receive({ token: undefined, remoteAddress, refusal, statusOf: () => problem.status });
        return answer(problem.status, problem.detail);
      }
      const tokens = new URLSearchParams(request.body).getAll('logout_token');
      const token = tokens.length === 1 ? tokens[0] : undefined;
      const refusal =
        token === undefined
          ? ({ code: 'ERR_SIGNAL_REQUEST', detail: 'expected exactly one logout_token' } as const)
          : undefined;
      const reception = await receive({ token, remoteAddress, statusOf, ...(refusal ? { refusal } : {}) });
      if (reception.ok) return answer(200);
      const { refusal: why } = reception;
      return why.code === 'ERR_SIGNAL_UNAVAILABLE'
        ? answer(503, 'the logout could not be recorded now', why.retryAfterSeconds)
        : answer(400, why.detail);
    },
  };
}
