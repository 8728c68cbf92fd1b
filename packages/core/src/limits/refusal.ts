/**
 * A refusal the monitoring layer decides before verification (a blocked peer, a peer rate limit, an audit
 * sink or store that cannot answer); the guard turns it into a deny decision with the refusal builder.
 */
import type { StoreFaultCode } from '../model/store-faults.js';

/** A refusal decided before verification; the guard turns it into a deny decision. */
export interface Refusal {
  readonly code: 'ERR_RATE_LIMITED' | 'ERR_BLOCKED' | 'ERR_AUDIT_UNAVAILABLE' | StoreFaultCode;
  readonly detail: string;
  readonly retryAfterSeconds: number;
}
