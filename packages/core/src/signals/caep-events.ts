/**
 * What each CAEP 1.0 event does to the API's tokens. Every event ends in cut-offs in the revocation
 * store, so it reaches every instance sharing the store:
 * - `session-revoked`: the session's tokens (and, by default, the user's: see {@link SessionScope});
 * - `credential-change`: every token of the user — a password reset or a removed authenticator is how an
 *   account takeover is ended, and tokens minted before it may be the attacker's;
 * - `token-claims-change`: every token of the user, because the API decides on the claims the token
 *   carries (scopes, roles, groups) and tokens minted before the change still carry the old ones: the
 *   client must fetch a fresh token, which carries the new claims;
 * - `assurance-level-change` (unless the level went up): tokens of the user authenticated at or before
 *   the change are refused, so the next request needs a token from a new sign-in — a step-up.
 */
import type { JsonObject } from '../model/strict-json.js';
import { type CutOff, type SessionScope, sessionCutOffs } from './cut-off.js';
import type { SignalRefusal } from './signal-refusal.js';
import type { EventSubject } from './subject-identifier.js';

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';

/** The CAEP event type URIs the receiver applies. */
export const CAEP_EVENTS = {
  sessionRevoked: `${CAEP}session-revoked`,
  credentialChange: `${CAEP}credential-change`,
  tokenClaimsChange: `${CAEP}token-claims-change`,
  assuranceLevelChange: `${CAEP}assurance-level-change`,
} as const;

const refuse = (detail: string): SignalRefusal => ({ code: 'ERR_SIGNAL_CLAIMS', detail });

/** Members CAEP 1.0 requires in an event's payload, per event type. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  [CAEP_EVENTS.credentialChange]: ['credential_type', 'change_type'],
  [CAEP_EVENTS.tokenClaimsChange]: ['claims'],
  [CAEP_EVENTS.assuranceLevelChange]: ['namespace', 'current_level'],
};

/** When the change happened: `event_timestamp`, never later than the SET's `iat`. */
function changeTime(event: JsonObject, iat: number): number | SignalRefusal {
  const at = event.event_timestamp;
  if (at === undefined) return iat;
  if (typeof at !== 'number' || !Number.isFinite(at)) return refuse('event_timestamp is not a number');
  return Math.min(at, iat);
}

/**
 * The cut-offs of one CAEP event; an empty list for an event the API does not act on; or why the event
 * is malformed.
 *
 * @example
 * ```ts
 * const cuts = caepCutOffs(CAEP_EVENTS.credentialChange, event, subject, iat, 'subject');
 * ```
 */
export function caepCutOffs(
  type: string,
  event: JsonObject,
  subject: EventSubject,
  iat: number,
  scope: SessionScope,
): CutOff[] | SignalRefusal {
  const missing = (REQUIRED[type] ?? []).find((name) => event[name] === undefined);
  if (missing) return refuse(`${type.slice(CAEP.length)} needs ${missing}`);
  if (type === CAEP_EVENTS.sessionRevoked) {
    return sessionCutOffs(subject.issuers, subject.subject, subject.sessionId, scope);
  }
  if (!Object.values(CAEP_EVENTS).includes(type as never)) return [];
  const user = subject.subject;
  if (user === undefined) return { code: 'ERR_SIGNAL_SUBJECT', detail: 'the event names no user' };
  if (type !== CAEP_EVENTS.assuranceLevelChange) {
    return subject.issuers.map((issuer) => ({ kind: 'subject', issuer, subject: user }));
  }
  // A raised level leaves existing sessions at least as strong as before: nothing to cut off.
  if (event.change_direction === 'increase') return [];
  const at = changeTime(event, iat);
  if (typeof at !== 'number') return at;
  return subject.issuers.map((issuer) => ({
    kind: 'authentication',
    issuer,
    subject: user,
    authenticatedBefore: at,
  }));
}
