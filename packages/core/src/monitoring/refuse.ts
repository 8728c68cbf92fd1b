/**
 * Turning a decision into a refusal after the fact (a rate limit, a block, a store or audit sink that
 * cannot answer), keeping the decision's audit event with the refusal's reason, status and detail.
 */
import type { AuditEvent } from '../audit.js';
import { type Decision, type DenyDecision, denyResponse } from '../decision.js';
import type { ErrorCode } from '../errors.js';
import type { StoreFaultCode } from '../store-faults.js';

/** A refusal decided before verification; the guard turns it into a deny decision. */
export interface Refusal {
  readonly code: 'ERR_RATE_LIMITED' | 'ERR_BLOCKED' | 'ERR_AUDIT_UNAVAILABLE' | StoreFaultCode;
  readonly detail: string;
  readonly retryAfterSeconds: number;
}

/** Refuses a decision with `code`, optionally with `Retry-After`. */
export type Refuse = (
  decision: Decision,
  code: Exclude<ErrorCode, 'ERR_CONFIG'>,
  detail: string,
  retryAfterSeconds?: number,
) => DenyDecision;

/**
 * Creates the refusal builder of a guard (its `realm` goes into challenges).
 *
 * @example
 * ```ts
 * const refuse = createRefuse('api');
 * const denied = refuse(decision, 'ERR_RATE_LIMITED', 'rate limit peer:100/60s', 12);
 * ```
 */
export function createRefuse(realm: string | undefined): Refuse {
  return (decision, code, detail, retry) => {
    const response = denyResponse(code, {
      realm,
      ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
    });
    const audit: AuditEvent = {
      ...decision.audit,
      outcome: 'deny',
      reason: code,
      status: response.status,
      detail,
    };
    return { ...response, audit } satisfies DenyDecision;
  };
}
