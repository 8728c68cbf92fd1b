/**
 * The claim checks logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.4, §2.6) and Security Event
 * Tokens (RFC 8417 §2.2, RFC 8935 §2) share, after the signature verified: the explicit type, the
 * audience, a recent `iat`, a `jti` to replay-check, and an `events` object. Each failure names the rule.
 */
import type { JsonObject } from '../model/strict-json.js';
import type { SignalRefusal, SignalRefusalCode } from './signal-refusal.js';

/** The rules of one channel. */
export interface EventClaimRules {
  /** Accepted `typ` values, lower case without `application/`; `undefined` in the list accepts no `typ`. */
  readonly types: readonly (string | undefined)[];
  readonly audiences: ReadonlySet<string>;
  /** Oldest accepted `iat`, in seconds before now. */
  readonly maxAgeSeconds: number;
  readonly clockToleranceSeconds: number;
}

/** The identifying claims of an event token that passed {@link eventClaimsProblem}. */
export interface EventIdentity {
  readonly jti: string;
  readonly iat: number;
  readonly events: JsonObject;
}

const MAX_JTI_LENGTH = 256;

const problem = (code: SignalRefusalCode, detail: string): SignalRefusal => ({ code, detail });

/**
 * The `typ` header as RFC 7515 §4.1.9 compares it: case-insensitively, `application/` omitted.
 *
 * @example
 * ```ts
 * mediaType('application/Logout+JWT'); // 'logout+jwt'
 * ```
 */
export function mediaType(typ: unknown): string | undefined | null {
  if (typ === undefined) return undefined;
  if (typeof typ !== 'string') return null;
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function audienceProblem(aud: unknown, audiences: ReadonlySet<string>): SignalRefusal | undefined {
  const list = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(list) || list.length === 0 || !list.every((entry) => typeof entry === 'string')) {
    return problem('ERR_SIGNAL_CLAIMS', 'aud is not a string or a non-empty array of strings');
  }
  // Exact comparison (RFC 7519 §2): no case folding, no trailing-slash tolerance.
  return list.some((entry) => audiences.has(entry))
    ? undefined
    : problem('ERR_SIGNAL_AUDIENCE', 'aud does not name this receiver');
}

function timeProblem(payload: JsonObject, rules: EventClaimRules, now: number): SignalRefusal | undefined {
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    return problem('ERR_SIGNAL_CLAIMS', 'iat is missing or not a number');
  }
  const tolerance = rules.clockToleranceSeconds;
  if (iat > now + tolerance) return problem('ERR_SIGNAL_STALE', 'iat is in the future');
  // Old tokens are refused, which also bounds how long a jti must be remembered for replay checks.
  if (iat < now - rules.maxAgeSeconds - tolerance) {
    return problem('ERR_SIGNAL_STALE', `iat is older than ${rules.maxAgeSeconds} s`);
  }
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= now - tolerance)) {
    return problem('ERR_SIGNAL_STALE', 'exp is not a number or has passed');
  }
  return undefined;
}

/**
 * The first shared rule a verified event token breaks, or its identity.
 *
 * @example
 * ```ts
 * const checked = eventClaimsProblem(event.header, event.payload, rules, Date.now() / 1000);
 * if ('code' in checked) return refuse(checked);
 * ```
 */
export function eventClaimsProblem(
  header: JsonObject,
  payload: JsonObject,
  rules: EventClaimRules,
  now: number,
): SignalRefusal | EventIdentity {
  const type = mediaType(header.typ);
  if (type === null || !rules.types.includes(type)) {
    return problem('ERR_SIGNAL_TYPE', `typ is not ${rules.types.filter(Boolean).join(' or ')}`);
  }
  const audience = audienceProblem(payload.aud, rules.audiences);
  if (audience) return audience;
  const time = timeProblem(payload, rules, now);
  if (time) return time;
  const { jti, events } = payload;
  if (typeof jti !== 'string' || jti.trim() === '' || jti.length > MAX_JTI_LENGTH) {
    return problem('ERR_SIGNAL_CLAIMS', 'jti is missing, blank or longer than 256 characters');
  }
  if (typeof events !== 'object' || events === null || Array.isArray(events)) {
    return problem('ERR_SIGNAL_CLAIMS', 'events is missing or not a JSON object');
  }
  return { jti, iat: payload.iat as number, events: events as JsonObject };
}
