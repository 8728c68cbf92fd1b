/**
 * The Shared Signals push endpoint (RFC 8935 delivery of RFC 8417 Security Event Tokens carrying CAEP
 * 1.0 events): `POST` of an `application/secevent+jwt` body. A verified SET is applied and acknowledged
 * `202 Accepted` (§2.2); anything else is `400` with `{ err, description }` and an RFC 8935 §2.3 error
 * code; a fault of the API's own stores or of the transmitter's key endpoint `503` with `Retry-After`, so
 * the transmitter retries.
 */
import type { JsonObject } from '../model/strict-json.js';
import { CAEP_EVENTS, caepCutOffs } from './caep-events.js';
import type { EventClaimRules } from './event-claims.js';
import { createEventReceiver, type ReceiverContext } from './event-receiver.js';
import { createPeerLimiter } from './peer-limit.js';
import {
  createSignalEndpoint,
  type EndpointSettings,
  type SignalEndpoint,
  type SignalResponse,
} from './signal-endpoint.js';
import { pushErrorOf, type SignalRefusal } from './signal-refusal.js';
import { eventSubject } from './subject-identifier.js';
import type { EventSender } from './verify-signed-event.js';

/** One transmitter, its key source ready. */
export interface Transmitter extends EventSender {
  /** The audience values its SETs must name one of. */
  readonly audiences: ReadonlySet<string>;
  /** The token issuers whose subjects it may cut off. */
  readonly subjectIssuers: readonly string[];
}

/** The settled settings of the endpoint. */
export interface PushEndpointSettings extends EndpointSettings {
  readonly transmitters: ReadonlyMap<string, Transmitter>;
}

const SET_MEDIA_TYPE = 'application/secevent+jwt';

/** The RFC 8935 answers: 202 empty, else `{ err, description }` — but on 503, which no `err` code describes. */
function answer(status: number, refusal?: SignalRefusal): SignalResponse {
  if (refusal === undefined) return { status, headers: {}, body: '' };
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (refusal.retryAfterSeconds !== undefined) headers['retry-after'] = String(refusal.retryAfterSeconds);
  if (status === 405) headers.allow = 'POST';
  // RFC 8935 §2.3's `err` codes describe a SET that is wrong; a fault of the API or a peer held back is not.
  const body =
    status === 503
      ? { description: 'the event could not be recorded now' }
      : status === 429
        ? { description: refusal.detail }
        : { err: pushErrorOf(refusal.code), description: refusal.detail };
  return { status, headers, body: JSON.stringify(body) };
}

/**
 * Creates the push endpoint.
 *
 * @example
 * ```ts
 * const endpoint = createPushEndpoint(settings, { revocation, record, currentTime, auditTime });
 * const response = await endpoint.respond({ method: 'POST', contentType: 'application/secevent+jwt', body: set });
 * ```
 */
export function createPushEndpoint(settings: PushEndpointSettings, context: ReceiverContext): SignalEndpoint {
  const rulesOf = (sender: EventSender): EventClaimRules => ({
    types: ['secevent+jwt'],
    audiences: (sender as Transmitter).audiences,
    maxAgeSeconds: settings.maxAgeSeconds,
    clockToleranceSeconds: settings.clockToleranceSeconds,
  });
  const receive = createEventReceiver(
    {
      channel: 'shared-signals',
      senders: settings.transmitters,
      rulesOf,
      replay: settings.replay,
      onReplay: 'acknowledge',
      interpret(payload, events, sender) {
        // SSF 1.0 §4.1: the subject is `sub_id`, and a SET does not expire.
        if ('sub' in payload || 'exp' in payload) {
          return { code: 'ERR_SIGNAL_CLAIMS', detail: 'a SET must contain neither sub nor exp' };
        }
        const types = Object.keys(events);
        // One event per SET (SSF 1.0 §4.1), so one acknowledgement means one thing.
        if (types.length !== 1) return { code: 'ERR_SIGNAL_CLAIMS', detail: 'expected exactly one event' };
        const type = types[0] as string;
        const event = events[type] as JsonObject;
        if (typeof event !== 'object' || event === null || Array.isArray(event)) {
          return { code: 'ERR_SIGNAL_CLAIMS', detail: 'the event payload is not a JSON object' };
        }
        // Not a CAEP event this receiver applies: verified, acknowledged, recorded as ignored.
        if (!Object.values(CAEP_EVENTS).includes(type as never))
          return { cuts: [], event: type.slice(0, 200) };
        const subject = eventSubject(payload.sub_id ?? event.subject, (sender as Transmitter).subjectIssuers);
        if ('code' in subject) return subject;
        const cuts = caepCutOffs(type, event, subject, payload.iat as number, settings.scope);
        return 'code' in cuts ? cuts : { cuts, event: type };
      },
    },
    context,
  );
  const { path, maxBodyBytes } = settings;
  // The body is the SET itself.
  const tokenOf = (body: string) => body;
  return createSignalEndpoint(
    { path, maxBodyBytes, mediaType: SET_MEDIA_TYPE, acceptedStatus: 202, tokenOf, answer },
    receive,
    { limiter: createPeerLimiter(settings.peerLimit), now: context.currentTime },
  );
}
