/**
 * An HTTP endpoint of a signal channel, independent of any framework: the adapters read the request body
 * (bounded) and write what {@link SignalEndpoint.respond} answers. Only `POST` of the channel's media type
 * is accepted; the endpoint is public — the signed token is the credential — so nothing but that token
 * is ever acted on. Each channel says where its token is in the body and how its answers look.
 */
import type { SessionScope } from './cut-off.js';
import type { ReceivedToken, Reception } from './event-receiver.js';
import type { PeerLimiter, PeerLimitOptions } from './peer-limit.js';
import type { ReplayStore } from './replay-store.js';
import type { SignalRefusal, SignalRefusalCode } from './signal-refusal.js';

/** The settled settings both channels share. */
export interface EndpointSettings {
  readonly path: string;
  readonly scope: SessionScope;
  readonly maxAgeSeconds: number;
  readonly maxBodyBytes: number;
  readonly clockToleranceSeconds: number;
  readonly replay: ReplayStore;
  /** Refused requests allowed per peer address, or `false` for no limit. */
  readonly peerLimit: PeerLimitOptions | false;
}

/** A request to a signal endpoint, its body already read by the adapter. */
export interface SignalRequest {
  readonly method: string;
  /** The `Content-Type` header, if any. */
  readonly contentType: string | undefined;
  /** The body as text; `undefined` when it could not be read whole within the bounds. */
  readonly body: string | undefined;
  /** Why the body is missing: larger than `maxBodyBytes`, or not received in time. */
  readonly bodyProblem?: 'too-large' | 'timeout' | 'unreadable';
  readonly remoteAddress?: string | undefined;
}

/** What an adapter writes back. */
export interface SignalResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One signal endpoint. */
export interface SignalEndpoint {
  /** The exact path it is served at (the query is ignored). */
  readonly path: string;
  /** Largest body read; a larger one is refused with 413 without being read further. */
  readonly maxBodyBytes: number;
  /**
   * Before the body is read: the 429 answer (audited) when the peer is over the endpoint's limit of
   * refused requests, else `undefined`. Adapters call it first, then read the body, then {@link respond}.
   * Never rejects.
   */
  admit(remoteAddress: string | undefined): Promise<SignalResponse | undefined>;
  /** The answer to one request; a refusal counts against the peer's limit. Never rejects. */
  respond(request: SignalRequest): Promise<SignalResponse>;
}

/**
 * The media type of a `Content-Type` header, lower case, without parameters.
 *
 * @example
 * ```ts
 * mediaTypeOf('application/x-www-form-urlencoded; charset=UTF-8'); // 'application/x-www-form-urlencoded'
 * ```
 */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}

/**
 * Why a request cannot carry a token at all (method, body), before the channel reads it: the status and
 * the detail, or `undefined`.
 *
 * @example
 * ```ts
 * requestProblem({ method: 'GET', contentType: undefined, body: '' }, 'application/secevent+jwt');
 * // { status: 405, detail: 'only POST is accepted' }
 * ```
 */
export function requestProblem(
  request: SignalRequest,
  mediaType: string,
): { readonly status: number; readonly detail: string } | undefined {
  if (request.method !== 'POST') return { status: 405, detail: 'only POST is accepted' };
  if (request.bodyProblem === 'too-large') return { status: 413, detail: 'the body is too large' };
  if (request.body === undefined) return { status: 400, detail: 'the body could not be read' };
  if (mediaTypeOf(request.contentType) !== mediaType) {
    return { status: 400, detail: `the body is not ${mediaType}` };
  }
  return undefined;
}

/**
 * Refusals of a token whose signature verified: only the holder of the sender's key can cause them, and a
 * genuine sender's wiring mistake (an audience, a subject format) must not hold back its valid signals. A
 * replayed or stale token is counted: anyone who captured one can send it again.
 */
const SIGNED_BY_SENDER: ReadonlySet<SignalRefusalCode> = new Set([
  'ERR_SIGNAL_TYPE',
  'ERR_SIGNAL_AUDIENCE',
  'ERR_SIGNAL_CLAIMS',
  'ERR_SIGNAL_SUBJECT',
]);

/** A refusal a peer caused (not the API's own fault, 503), counted against its limit. */
const countsAgainstPeer = (status: number, code: SignalRefusalCode | undefined) =>
  status >= 400 && status < 500 && (code === undefined || !SIGNED_BY_SENDER.has(code));

/** The peer limit of an endpoint and the clock it counts on (milliseconds; may throw when faulty). */
export interface EndpointLimit {
  readonly limiter: PeerLimiter | undefined;
  readonly now: () => number;
}

/** How one channel finds its token in a request and writes its answers. */
export interface ChannelWire {
  readonly path: string;
  readonly maxBodyBytes: number;
  /** The one accepted media type, lower case. */
  readonly mediaType: string;
  /** The status of an accepted token: 200 (logout) or 202 (push). */
  readonly acceptedStatus: number;
  /** The token in a body of the accepted media type, or why there is none. */
  readonly tokenOf: (body: string) => string | { readonly detail: string };
  /** The response for a status: with the refusal on every status but the accepted one. */
  readonly answer: (status: number, refusal?: SignalRefusal) => SignalResponse;
}

/**
 * Serves a channel: holds back a peer over its limit, refuses what cannot carry a token, hands the token to
 * the receiver, answers with the status its reception calls for. Every request ends in exactly one
 * `signal` record (the receiver's).
 *
 * @example
 * ```ts
 * const endpoint = createSignalEndpoint(wire, createEventReceiver(settings, context), { limiter, now });
 * ```
 */
export function createSignalEndpoint(
  wire: ChannelWire,
  receive: (received: ReceivedToken) => Promise<Reception>,
  limit: EndpointLimit,
): SignalEndpoint {
  const { limiter } = limit;
  // The limit guards against floods, it decides nothing about a signal: if it cannot count (a faulty
  // clock), the request goes on to the receiver, which refuses whatever it cannot verify.
  const count = async (status: number, peer: string | undefined, code?: SignalRefusalCode) => {
    if (!limiter || !countsAgainstPeer(status, code)) return;
    await limiter.refused(peer, limit.now()).catch(() => undefined);
  };
  const answered = async (response: SignalResponse, peer: string | undefined, code?: SignalRefusalCode) => {
    await count(response.status, peer, code);
    return response;
  };
  const statusOf = (reception: Reception): number => {
    if (reception.ok) return wire.acceptedStatus;
    return reception.refusal.code === 'ERR_SIGNAL_UNAVAILABLE' ? 503 : 400;
  };
  return {
    path: wire.path,
    maxBodyBytes: wire.maxBodyBytes,
    async admit(remoteAddress) {
      const waitOf = async () => limiter?.blocked(remoteAddress, limit.now());
      if ((await waitOf().catch(() => undefined)) === undefined) return undefined;
      // This request counts before the wait is said, so a sender that waits as told is heard.
      await count(429, remoteAddress);
      const refusal = {
        code: 'ERR_SIGNAL_RATE_LIMITED',
        detail: 'too many refused requests from this address',
        retryAfterSeconds: (await waitOf().catch(() => undefined)) ?? 1,
      } as const;
      await receive({ token: undefined, remoteAddress, refusal, statusOf: () => 429 });
      return wire.answer(429, refusal);
    },
    async respond(request) {
      const { remoteAddress } = request;
      const problem = requestProblem(request, wire.mediaType);
      const token = problem ? undefined : wire.tokenOf(request.body as string);
      const early =
        problem ?? (typeof token === 'object' ? { status: 400, detail: token.detail } : undefined);
      if (early || typeof token !== 'string') {
        const { status, detail } = early ?? { status: 400, detail: 'no token' };
        const refusal = { code: 'ERR_SIGNAL_REQUEST', detail } as const;
        await receive({ token: undefined, remoteAddress, refusal, statusOf: () => status });
        return answered(wire.answer(status, refusal), remoteAddress);
      }
      const reception = await receive({ token, remoteAddress, statusOf });
      if (reception.ok) return wire.answer(statusOf(reception));
      const { refusal } = reception;
      return answered(wire.answer(statusOf(reception), refusal), remoteAddress, refusal.code);
    },
  };
}
