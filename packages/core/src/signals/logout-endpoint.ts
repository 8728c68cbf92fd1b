/**
 * The OpenID Connect Back-Channel Logout 1.0 endpoint (§2.5, §2.8): `POST` of an
 * `application/x-www-form-urlencoded` body with one `logout_token`. A verified logout token cuts off the
 * user's tokens (by `sub` and/or `sid`) and is answered `200` with `Cache-Control: no-store`; anything else
 * `400` with an OAuth-style `{ error: 'invalid_request', error_description }` body; a fault of the API's
 * own stores or of the provider's key endpoint `503` with `Retry-After`.
 */
import { sessionCutOffs } from './cut-off.js';
import { createEventReceiver, type ReceiverContext } from './event-receiver.js';
import { BACKCHANNEL_LOGOUT_EVENT, logoutTarget } from './logout-token.js';
import { createPeerLimiter } from './peer-limit.js';
import {
  createSignalEndpoint,
  type EndpointSettings,
  type SignalEndpoint,
  type SignalResponse,
} from './signal-endpoint.js';
import type { SignalRefusal } from './signal-refusal.js';
import type { EventSender } from './verify-signed-event.js';

/** The settled settings of the endpoint. */
export interface LogoutEndpointSettings extends EndpointSettings {
  /** The client ids a logout token's `aud` must name one of. */
  readonly clientIds: readonly string[];
  /** The issuers whose logout tokens are accepted, with their own key sources. */
  readonly senders: ReadonlyMap<string, EventSender>;
}

const FORM = 'application/x-www-form-urlencoded';

/** The BCL §2.8 answers: 200 empty, else an OAuth-style error body; never cached. */
function answer(status: number, refusal?: SignalRefusal): SignalResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (refusal === undefined) return { status, headers, body: '' };
  headers['content-type'] = 'application/json';
  if (refusal.retryAfterSeconds !== undefined) headers['retry-after'] = String(refusal.retryAfterSeconds);
  if (status === 405) headers.allow = 'POST';
  const body =
    status === 503
      ? { error: 'temporarily_unavailable', error_description: 'the logout could not be recorded now' }
      : status === 429
        ? { error: 'too_many_requests', error_description: refusal.detail }
        : { error: 'invalid_request', error_description: refusal.detail };
  return { status, headers, body: JSON.stringify(body) };
}

const tokenOf = (body: string): string | { detail: string } => {
  const tokens = new URLSearchParams(body).getAll('logout_token');
  return tokens.length === 1 ? (tokens[0] as string) : { detail: 'expected exactly one logout_token' };
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
  const { path, maxBodyBytes } = settings;
  return createSignalEndpoint(
    { path, maxBodyBytes, mediaType: FORM, acceptedStatus: 200, tokenOf, answer },
    receive,
    { limiter: createPeerLimiter(settings.peerLimit), now: context.currentTime },
  );
}
