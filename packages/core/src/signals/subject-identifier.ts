/**
 * Subject identifiers of Security Event Tokens (RFC 9493): whose tokens a CAEP event is about. The
 * formats that name an API's principal unambiguously are supported: `iss_sub` (an issuer and its `sub`),
 * `opaque` (an identifier the transmitter and the API agree on: the `sub` of the transmitter's token
 * issuers) and the Shared Signals `complex` form with a `user` and/or a `session` member. An `email` or
 * `phone_number` is not what access tokens are keyed by; guessing would cut off the wrong principal or
 * nobody, so every other format is refused.
 */
import type { JsonObject } from '../model/strict-json.js';
import type { SignalRefusal } from './signal-refusal.js';

/** The principal an event is about, resolved against the transmitter's token issuers. */
export interface EventSubject {
  /** The token issuers the subject (or session) belongs to. */
  readonly issuers: readonly string[];
  readonly subject: string | undefined;
  readonly sessionId: string | undefined;
}

const refuse = (detail: string): SignalRefusal => ({ code: 'ERR_SIGNAL_SUBJECT', detail });

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isIdentifier = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '' && value.length <= 1024;

/** A simple (non-complex) identifier naming a user: its issuers and `sub`. */
function userOf(
  id: JsonObject,
  issuers: readonly string[],
): { issuers: readonly string[]; subject: string } | SignalRefusal {
  if (id.format === 'iss_sub') {
    if (!isIdentifier(id.iss) || !isIdentifier(id.sub)) return refuse('iss_sub needs iss and sub');
    // A transmitter speaks only for the token issuers it is configured for.
    if (!issuers.includes(id.iss))
      return refuse('iss_sub names an issuer this transmitter may not speak for');
    return { issuers: [id.iss], subject: id.sub };
  }
  if (id.format === 'opaque') {
    return isIdentifier(id.id) ? { issuers, subject: id.id } : refuse('opaque needs id');
  }
  return refuse(`subject format ${String(id.format).slice(0, 40)} is not supported`);
}

/**
 * The principal a subject identifier names, or why it cannot be used.
 *
 * @example
 * ```ts
 * eventSubject({ format: 'iss_sub', iss: 'https://idp.example.com/', sub: 'alice' }, ['https://idp.example.com/']);
 * // { issuers: ['https://idp.example.com/'], subject: 'alice', sessionId: undefined }
 * ```
 */
export function eventSubject(id: unknown, issuers: readonly string[]): EventSubject | SignalRefusal {
  if (!isObject(id)) return refuse('the subject identifier is missing or not a JSON object');
  if (id.format !== 'complex') {
    const user = userOf(id, issuers);
    return 'code' in user ? user : { ...user, sessionId: undefined };
  }
  const members = Object.keys(id).filter((name) => name !== 'format');
  const unknown = members.find((name) => name !== 'user' && name !== 'session');
  if (unknown) return refuse(`complex subject member ${unknown.slice(0, 40)} is not supported`);
  const { user, session } = id;
  if (user === undefined && session === undefined) return refuse('complex subject names no user or session');
  let sessionId: string | undefined;
  if (session !== undefined) {
    if (!isObject(session) || session.format !== 'opaque' || !isIdentifier(session.id)) {
      return refuse('session must be an opaque identifier');
    }
    sessionId = session.id;
  }
  if (user === undefined) return { issuers, subject: undefined, sessionId };
  if (!isObject(user)) return refuse('user is not a subject identifier');
  const resolved = userOf(user, issuers);
  return 'code' in resolved ? resolved : { ...resolved, sessionId };
}
