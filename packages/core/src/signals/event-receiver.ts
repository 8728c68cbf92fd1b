/**
 * The receiving end both signal channels share: verify the event token's signature with the sender's
 * keys, check the shared claims, refuse a replayed `jti`, let the channel say what to cut off, record the
 * cut-offs, and write exactly one `signal` audit record — applied, ignored or refused. Never rejects: a
 * fault of a store or of the sender's key endpoint is a 503 with `Retry-After` (the signal was not
 * applied; the sender may retry), never a 500 and never an acknowledgement.
 */
import type { SignalEvent } from '../audit/signal-event.js';
import { AUDIT_SCHEMA } from '../model/audit.js';
import { STORE_RETRY_AFTER_SECONDS } from '../model/store-faults.js';
import type { JsonObject } from '../model/strict-json.js';
import type { Revocation } from '../policy/revocation.js';
import { applyCutOffs, type CutOff } from './cut-off.js';
import { type EventClaimRules, eventClaimsProblem } from './event-claims.js';
import type { ReplayStore } from './replay-store.js';
import type { SignalRefusal } from './signal-refusal.js';
import { type EventSender, verifySignedEvent } from './verify-signed-event.js';

/** What a channel decided about a verified event: the cut-offs, or why it is refused. */
export interface ChannelVerdict {
  readonly cuts: readonly CutOff[];
  /** The event type URI, for the audit record. */
  readonly event: string;
}

/** The parts of one channel: its senders and rules, and what its events mean. */
export interface ChannelSettings {
  readonly channel: SignalEvent['channel'];
  readonly senders: ReadonlyMap<string, EventSender>;
  /** The claim rules of a sender's tokens (each transmitter has its own audience). */
  readonly rulesOf: (sender: EventSender) => EventClaimRules;
  readonly replay: ReplayStore;
  /**
   * A `jti` seen before: `refuse` it (a logout token is sent once), or `acknowledge` it without applying
   * it again (push delivery is at least once: a SET whose acknowledgement was lost comes back).
   */
  readonly onReplay: 'refuse' | 'acknowledge';
  /** The cut-offs of a verified event, or why its payload is refused. */
  readonly interpret: (
    payload: JsonObject,
    events: JsonObject,
    sender: EventSender,
  ) => ChannelVerdict | SignalRefusal;
}

/** What the receiver shares with the guard. */
export interface ReceiverContext {
  readonly revocation: Revocation;
  readonly record: (event: SignalEvent) => void;
  /** Current time in milliseconds; throws when the clock is faulty. */
  readonly currentTime: () => number;
  readonly auditTime: () => number;
}

/** The outcome of one received token, before the channel writes it in its own wire format. */
export type Reception = { readonly ok: true } | { readonly ok: false; readonly refusal: SignalRefusal };

/** Facts about one received token that go into its audit record. */
export interface ReceivedToken {
  readonly token: string | undefined;
  readonly remoteAddress: string | undefined;
  /** The status the channel will answer with, given the reception. */
  readonly statusOf: (reception: Reception) => number;
  /** A refusal found before any token was read (method, media type, body). */
  readonly refusal?: SignalRefusal;
}

type Recorded = Omit<SignalEvent, 'schema' | 'type' | 'time' | 'channel' | 'status' | 'remoteAddress'>;

/** Longest wait for the replay or revocation store: a hanging store ends in a 503, not a hung request. */
const STORE_TIMEOUT_MS = 5000;

function bounded<T>(work: T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`store did not answer within ${STORE_TIMEOUT_MS} ms`)),
      STORE_TIMEOUT_MS,
    );
    Promise.resolve(work).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const unavailable = (error: unknown): SignalRefusal => ({
  code: 'ERR_SIGNAL_UNAVAILABLE',
  detail: error instanceof Error ? error.message.slice(0, 200) : 'store fault',
  retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
});

/**
 * Creates the receiving function of one channel.
 *
 * @example
 * ```ts
 * const receive = createEventReceiver(settings, context);
 * const reception = await receive({ token, remoteAddress, statusOf: (r) => (r.ok ? 200 : 400) });
 * ```
 */
export function createEventReceiver(settings: ChannelSettings, context: ReceiverContext) {
  const { channel, senders, rulesOf, replay, interpret, onReplay } = settings;

  async function process(token: string): Promise<{ reception: Reception; recorded: Recorded }> {
    const verified = await verifySignedEvent(token, senders);
    if (!verified.ok) return refused(verified, { issuer: verified.issuer });
    const { header, payload, sender } = verified.event;
    const issuer = sender.issuer;
    const now = context.currentTime() / 1000;
    const rules = rulesOf(sender);
    const claims = eventClaimsProblem(header, payload, rules, now);
    if ('code' in claims) return refused(claims, { issuer });
    const verdict = interpret(payload, claims.events, sender);
    if ('code' in verdict) return refused(verdict, { issuer, tokenId: claims.jti });
    const about = describeCuts(verdict, issuer, claims.jti);
    // Remembered until the token would be refused as too old anyway; NUL cannot occur in either part.
    const key = `${issuer}\u0000${claims.jti}`;
    const expiresAt = claims.iat + rules.maxAgeSeconds + 2 * rules.clockToleranceSeconds;
    if (!(await bounded(replay.remember(key, expiresAt, now)))) {
      const detail = 'jti was seen before';
      if (onReplay === 'refuse') return refused({ code: 'ERR_SIGNAL_REPLAY', detail }, about);
      return { reception: { ok: true }, recorded: { ...about, outcome: 'ignored', reason: 'OK', detail } };
    }
    try {
      await bounded(applyCutOffs(context.revocation, verdict.cuts));
    } catch (error) {
      // Not applied: forget the jti, so the sender's retry of the same token is not taken for a replay.
      await bounded(replay.forget(key, now)).catch(() => undefined);
      return refused(unavailable(error), about);
    }
    const outcome = verdict.cuts.length === 0 ? 'ignored' : 'applied';
    return { reception: { ok: true }, recorded: { ...about, outcome, reason: 'OK' } };
  }

  return async function receive(received: ReceivedToken): Promise<Reception> {
    let result: { reception: Reception; recorded: Recorded };
    if (received.refusal || received.token === undefined) {
      const refusal = received.refusal ?? { code: 'ERR_SIGNAL_REQUEST', detail: 'no token' };
      result = refused(refusal, {});
    } else {
      try {
        result = await process(received.token);
      } catch (error) {
        result = refused(unavailable(error), {});
      }
    }
    context.record({
      schema: AUDIT_SCHEMA,
      type: 'signal',
      time: new Date(context.auditTime()).toISOString(),
      channel,
      ...result.recorded,
      status: received.statusOf(result.reception),
      ...(received.remoteAddress === undefined ? {} : { remoteAddress: received.remoteAddress }),
    });
    return result.reception;
  };
}

function refused(
  refusal: SignalRefusal,
  about: Partial<Recorded>,
): { reception: Reception; recorded: Recorded } {
  return {
    reception: { ok: false, refusal },
    recorded: { ...about, outcome: 'refused', reason: refusal.code, detail: refusal.detail },
  };
}

/** The audit fields of a verdict: the event, who was cut off and how. */
function describeCuts(verdict: ChannelVerdict, issuer: string, tokenId: string): Partial<Recorded> {
  const subjectCut = verdict.cuts.find((cut) => cut.kind !== 'session');
  const sessionCut = verdict.cuts.find((cut) => cut.kind === 'session');
  const subjectIssuer = verdict.cuts.find((cut) => cut.issuer !== issuer)?.issuer;
  return {
    event: verdict.event,
    issuer,
    tokenId,
    ...(subjectIssuer === undefined ? {} : { subjectIssuer }),
    ...(subjectCut && 'subject' in subjectCut ? { subject: subjectCut.subject } : {}),
    ...(sessionCut?.kind === 'session' ? { sessionId: sessionCut.sessionId } : {}),
    ...(verdict.cuts.length === 0 ? {} : { cutOffs: [...new Set(verdict.cuts.map((cut) => cut.kind))] }),
  };
}
