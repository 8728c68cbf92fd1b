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

/**
 * Builds the response for a refusal from the single error table.
 *
 * @example
 * ```ts
 * denyResponse('ERR_TOKEN_EXPIRED', { realm: 'api' });
 * // { status: 401, headers: { 'www-authenticate': 'Bearer realm="api", error="invalid_token", …' }, … }
 * ```
 */
export function denyResponse(
  code: Exclude<ErrorCode, 'ERR_CONFIG'>,
  options: {
    realm?: string | undefined;
    challenge?: Readonly<Record<string, string>>;
    retryAfterSeconds?: number;
    /** RFC 9728 §5.1 (P-4): the protected resource metadata URL, added to every challenge. */
    resourceMetadata?: string | undefined;
  },
): DenyResponse {
  const spec = ERROR_TABLE[code];
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
  };
  if (spec.status === 400 || spec.status === 401 || spec.status === 403) {
    // B-7: no error information when the request carried no credentials at all.
    headers['www-authenticate'] = formatChallenge('Bearer', {
      realm: options.realm,
      ...(spec.error ? { error: spec.error, error_description: spec.description } : {}),
      ...options.challenge,
      ...(options.resourceMetadata ? { resource_metadata: options.resourceMetadata } : {}),
    });
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
