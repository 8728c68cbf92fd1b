/**
 * The rules only a logout token has (OpenID Connect Back-Channel Logout 1.0 §2.4, §2.6), after its
 * signature and the shared claims checked: the back-channel logout event as a JSON object, `sub` and/or
 * `sid`, and no `nonce` — the member an ID token carries, refused so an ID token can never pass for a
 * logout token (§2.6 step 7, and §4's cross-JWT confusion).
 */
import type { JsonObject } from '../model/strict-json.js';
import type { SignalRefusal } from './signal-refusal.js';

/** The event type URI of a logout token (§2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Whose tokens a logout token ends. */
export interface LogoutTarget {
  readonly subject: string | undefined;
  readonly sessionId: string | undefined;
}

const refuse = (detail: string): SignalRefusal => ({ code: 'ERR_SIGNAL_CLAIMS', detail });

function identifier(payload: JsonObject, name: 'sub' | 'sid'): string | undefined | null {
  const value = payload[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' && value.trim() !== '' && value.length <= 1024 ? value : null;
}

/**
 * Whose tokens a logout token ends, or the rule it breaks.
 *
 * @example
 * ```ts
 * const target = logoutTarget(payload, events);
 * if ('code' in target) return refuse(target);
 * ```
 */
export function logoutTarget(payload: JsonObject, events: JsonObject): LogoutTarget | SignalRefusal {
  const event = events[BACKCHANNEL_LOGOUT_EVENT];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return refuse('events does not hold the back-channel logout event as a JSON object');
  }
  if ('nonce' in payload) return refuse('a logout token must not contain nonce');
  const subject = identifier(payload, 'sub');
  const sessionId = identifier(payload, 'sid');
  if (subject === null || sessionId === null) return refuse('sub or sid is not a non-empty string');
  if (subject === undefined && sessionId === undefined) return refuse('neither sub nor sid is present');
  return { subject, sessionId };
}
