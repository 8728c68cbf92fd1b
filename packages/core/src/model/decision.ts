/**
 * Decisions are values: an adapter writes them to the wire as they are. A deny carries everything the
 * response needs (status, `WWW-Authenticate`, `Cache-Control: no-store`, `Retry-After`, JSON body).
 */
import type { AuditEvent } from './audit.js';
import { formatChallenge } from './challenge.js';
import { ERROR_TABLE } from './error-table.js';
import type { ErrorCode } from './errors.js';
import type { Principal } from './principal.js';

/** The JSON body of a refusal. */
export interface DenyBody {
  readonly error: string;
  readonly error_description: string;
}

/** The request may proceed. `principal` is absent on a public route called without credentials. */
export interface AllowDecision {
  readonly outcome: 'allow';
  readonly principal: Principal | undefined;
  /** Headers to add to the eventual response (e.g. `Cache-Control: private` for query tokens, B-5). */
  readonly headers: Readonly<Record<string, string>>;
  readonly audit: AuditEvent;
}

/** The request is refused; write `status`, `headers` and `body` as they are. */
export interface DenyDecision {
  readonly outcome: 'deny';
  readonly code: Exclude<ErrorCode, 'ERR_CONFIG'>;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: DenyBody;
  readonly audit: AuditEvent;
}

/** What the core decided about one request. */
export type Decision = AllowDecision | DenyDecision;

/** Everything but the audit event, which the guard adds. */
export type DenyResponse = Omit<DenyDecision, 'audit'>;

/** What a refusal's response is built from, beyond its code. */
export interface DenyOptions {
  readonly realm?: string | undefined;
  /** Extra parameters of the challenge that carries the error (`scope`, `acr_values`, `max_age`). */
  readonly challenge?: Readonly<Record<string, string>>;
  readonly retryAfterSeconds?: number;
  /** RFC 9728 §5.1 (P-4): the protected resource metadata URL, added to every challenge. */
  readonly resourceMetadata?: string | undefined;
  /** The `algs` of a `DPoP` challenge (RFC 9449 §7.1), present when the guard accepts DPoP proofs. */
  readonly dpopAlgs?: string | undefined;
  /** The scheme the request used, when known: its challenge alone carries the error (RFC 9449 §7.2). */
  readonly scheme?: 'bearer' | 'dpop' | undefined;
  /** Further response headers (a fresh `DPoP-Nonce`, RFC 9449 §9). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

const DPOP_ERRORS: ReadonlySet<string> = new Set(['invalid_dpop_proof', 'use_dpop_nonce']);

/**
 * The `WWW-Authenticate` value: a `Bearer` challenge, and a `DPoP` one beside it when DPoP is accepted.
 * Error information goes on the challenge of the scheme the request used; when that is unknown (no usable
 * credential), on both, so either client learns what went wrong (RFC 9449 §7.2).
 */
function challengeOf(code: Exclude<ErrorCode, 'ERR_CONFIG'>, options: DenyOptions): string {
  const spec = ERROR_TABLE[code];
  const shared = {
    realm: options.realm,
    ...(options.resourceMetadata ? { resource_metadata: options.resourceMetadata } : {}),
  };
  // B-7: no error information when the request carried no credentials at all.
  const failure = spec.error
    ? { error: spec.error, error_description: spec.description, ...options.challenge }
    : options.challenge;
  if (options.dpopAlgs === undefined) return formatChallenge('Bearer', { ...shared, ...failure });
  const dpopOnly = spec.error !== undefined && DPOP_ERRORS.has(spec.error);
  const onDpop = dpopOnly || options.scheme !== 'bearer';
  const onBearer = !dpopOnly && options.scheme !== 'dpop';
  const bearer = formatChallenge('Bearer', onBearer ? { ...shared, ...failure } : shared);
  const dpop = formatChallenge('DPoP', {
    ...shared,
    ...(onDpop ? failure : undefined),
    algs: options.dpopAlgs,
  });
  return `${bearer}, ${dpop}`;
}

/**
 * Builds the response for a refusal from the single error table.
 *
 * @example
 * ```ts
 * denyResponse('ERR_TOKEN_EXPIRED', { realm: 'api' });
 * // { status: 401, headers: { 'www-authenticate': 'Bearer realm="api", error="invalid_token", …' }, … }
 * ```
 */
export function denyResponse(code: Exclude<ErrorCode, 'ERR_CONFIG'>, options: DenyOptions): DenyResponse {
  const spec = ERROR_TABLE[code];
  const headers: Record<string, string> = {
    ...options.headers,
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
  };
  if (spec.status === 400 || spec.status === 401 || spec.status === 403) {
    headers['www-authenticate'] = challengeOf(code, options);
  }
  if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
  const error = spec.error ?? spec.bodyError ?? 'unauthorized';
  return {
    outcome: 'deny',
    code,
    status: spec.status,
    headers,
    body: { error, error_description: spec.description },
  };
}
