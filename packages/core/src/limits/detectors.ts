/**
 * Anomaly detectors, fed with every final decision:
 * - `auth-failure-burst`: many failed authentications (400/401 without a verified token, missing
 *   credentials and DPoP nonce round trips excepted) from one peer address — credential stuffing, token
 *   guessing, fuzzing, forged DPoP proofs;
 * - `scope-probing`: one principal refused many times for lack of privilege (403) — mapping what a
 *   stolen or over-curious identity can reach;
 * - `token-spread`: one token (issuer + jti) used from many peer addresses — a leaked bearer token.
 * Each fires once per window per offender, raises a `detection` record, and may block the offender for a
 * cool-down: peers and principals get 429 with `Retry-After`; a spread token gets 401 `invalid_token` so
 * its rightful client fetches a fresh one while the copies die.
 */

import type { DetectionEvent, DetectorName } from '../audit/schema.js';
import { AUDIT_SCHEMA, type AuditEvent } from '../model/audit.js';
import { slidingCount } from './sliding-window.js';
import type { CounterStore } from './store.js';

/** Thresholds of one detector. */
export interface DetectorSettings {
  /** Fires when the count in the sliding window reaches this. */
  readonly threshold: number;
  readonly windowSeconds: number;
  /** Block the offender for this long after firing; report only when omitted. */
  readonly blockSeconds?: number | undefined;
}

/** The detectors, each off unless configured (`true` takes the default thresholds). */
export interface DetectorOptions {
  readonly authFailureBurst?: boolean | Partial<DetectorSettings>;
  readonly scopeProbing?: boolean | Partial<DetectorSettings>;
  readonly tokenSpread?: boolean | Partial<DetectorSettings>;
}

/**
 * Default thresholds, tuned to stay quiet for well-behaved clients behind a shared NAT.
 *
 * @example
 * ```ts
 * detectors: { authFailureBurst: { ...DETECTOR_DEFAULTS['auth-failure-burst'], blockSeconds: 600 } }
 * ```
 */
export const DETECTOR_DEFAULTS: Readonly<Record<DetectorName, DetectorSettings>> = {
  'auth-failure-burst': { threshold: 20, windowSeconds: 60 },
  'scope-probing': { threshold: 10, windowSeconds: 60 },
  'token-spread': { threshold: 5, windowSeconds: 300 },
};

/** Resolved detector settings by name. */
export type ResolvedDetectors = Readonly<Partial<Record<DetectorName, DetectorSettings>>>;

/**
 * Applies defaults; a detector set to `false` or left out is off.
 *
 * @example
 * ```ts
 * resolveDetectors({ tokenSpread: { threshold: 3 } }); // { 'token-spread': { threshold: 3, windowSeconds: 300 } }
 * ```
 */
export function resolveDetectors(options: DetectorOptions | undefined): ResolvedDetectors {
  const resolved: Partial<Record<DetectorName, DetectorSettings>> = {};
  const pairs: [DetectorName, DetectorOptions[keyof DetectorOptions]][] = [
    ['auth-failure-burst', options?.authFailureBurst],
    ['scope-probing', options?.scopeProbing],
    ['token-spread', options?.tokenSpread],
  ];
  for (const [name, given] of pairs) {
    if (given === undefined || given === false) continue;
    const overrides = given === true ? {} : given;
    // An explicit `undefined` keeps the default.
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    resolved[name] = { ...DETECTOR_DEFAULTS[name], ...defined };
  }
  return resolved;
}

/** Store keys of the offenders a request can be blocked as. */
export interface OffenderKeys {
  readonly peer?: string | undefined;
  readonly principal?: string | undefined;
  readonly token?: string | undefined;
}

/**
 * The offender keys of a recorded decision (principal and token only when the token was verified). A token
 * is keyed by issuer + `jti`, never by its text: ECDSA signatures are malleable (checklist §0.4).
 *
 * @example
 * ```ts
 * offendersOf(decision.audit); // { peer: '203.0.113.7', principal: 'https://idp/\nalice', token: 'https://idp/\n<jti>' }
 * ```
 */
export function offendersOf(event: AuditEvent): OffenderKeys {
  const verified = event.principalKind !== undefined && event.issuer !== undefined;
  const tokenId = event.tokenId ?? event.tokenFingerprint;
  return {
    peer: event.remoteAddress,
    principal: verified && event.subject !== undefined ? `${event.issuer}\n${event.subject}` : undefined,
    token: verified && tokenId !== undefined ? `${event.issuer}\n${tokenId}` : undefined,
  };
}

/**
 * Store key of a block on an offender.
 *
 * @example
 * ```ts
 * await store.flag(blockKey('peer', '203.0.113.7'), Date.now());
 * ```
 */
export function blockKey(kind: keyof OffenderKeys, key: string): string {
  return `block:${kind}:${key}`;
}

/** What the detectors concluded about one decision. */
export interface Observation {
  readonly detections: readonly DetectionEvent[];
  /** Set when a detector just blocked the offender of this very request. */
  readonly blocked?: { readonly offender: DetectionEvent['offender']; readonly untilMs: number };
}

/**
 * Feeds one final decision to the enabled detectors.
 *
 * @example
 * ```ts
 * const { detections } = await observeDecision(event, resolveDetectors({ authFailureBurst: true }), store, Date.now());
 * ```
 */
export async function observeDecision(
  event: AuditEvent,
  detectors: ResolvedDetectors,
  store: CounterStore,
  nowMs: number,
): Promise<Observation> {
  const offenders = offendersOf(event);
  const detections: DetectionEvent[] = [];
  let blocked: Observation['blocked'];

  async function fire(name: DetectorName, kind: keyof OffenderKeys, key: string, count: number) {
    const settings = detectors[name];
    if (!settings || count < settings.threshold) return;
    const seen = `seen:${name}:${kind}:${key}`;
    if ((await store.flag(seen, nowMs)) !== undefined) return;
    await store.setFlag(seen, nowMs + settings.windowSeconds * 1000);
    const untilMs = settings.blockSeconds === undefined ? undefined : nowMs + settings.blockSeconds * 1000;
    if (untilMs !== undefined) {
      await store.setFlag(blockKey(kind, key), untilMs);
      blocked = { offender: kind, untilMs };
    }
    detections.push({
      schema: AUDIT_SCHEMA,
      type: 'detection',
      time: new Date(nowMs).toISOString(),
      correlationId: event.correlationId,
      ...(event.traceId !== undefined ? { traceId: event.traceId } : {}),
      ...(event.spanId !== undefined ? { spanId: event.spanId } : {}),
      detector: name,
      offender: kind,
      ...definedFields(event, kind),
      count: Math.floor(count),
      threshold: settings.threshold,
      windowSeconds: settings.windowSeconds,
      action: untilMs === undefined ? 'report' : 'block',
      ...(untilMs === undefined ? {} : { blockedUntil: new Date(untilMs).toISOString() }),
    });
  }

  async function windowed(name: DetectorName, kind: keyof OffenderKeys, key: string | undefined) {
    const settings = detectors[name];
    if (!settings || key === undefined) return;
    const windowMs = settings.windowSeconds * 1000;
    const count = await store.increment(`det:${name}:${key}`, windowMs, nowMs);
    await fire(name, kind, key, slidingCount(count, windowMs, nowMs));
  }

  const verified = offenders.principal !== undefined || offenders.token !== undefined;
  if (
    event.outcome === 'deny' &&
    (event.status === 400 || event.status === 401) &&
    !verified &&
    event.reason !== 'ERR_NO_CREDENTIALS' &&
    // RFC 9449 §9: a `use_dpop_nonce` answer is the protocol's normal round trip, not a failed attempt.
    event.reason !== 'ERR_DPOP_NONCE_REQUIRED'
  ) {
    await windowed('auth-failure-burst', 'peer', offenders.peer);
  }
  if (event.outcome === 'deny' && event.status === 403) {
    await windowed('scope-probing', 'principal', offenders.principal);
  }
  const spread = detectors['token-spread'];
  if (spread && offenders.token !== undefined && offenders.peer !== undefined) {
    const windowMs = spread.windowSeconds * 1000;
    const peers = await store.distinct(
      `det:token-spread:${offenders.token}`,
      offenders.peer,
      windowMs,
      nowMs,
    );
    await fire('token-spread', 'token', offenders.token, peers);
  }
  return blocked ? { detections, blocked } : { detections };
}

function definedFields(event: AuditEvent, kind: keyof OffenderKeys): Partial<DetectionEvent> {
  const fields: Record<string, string | undefined> = {
    remoteAddress: event.remoteAddress,
    route: event.route,
    ...(kind === 'peer'
      ? {}
      : {
          issuer: event.issuer,
          subject: event.subject,
          clientId: event.clientId,
          tokenId: event.tokenId,
          tokenFingerprint: event.tokenFingerprint,
        }),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
