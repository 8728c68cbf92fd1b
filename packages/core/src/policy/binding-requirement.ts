/**
 * The builders of sender-binding and workload requirements: a route that only sender-constrained tokens may call, so a
 * stolen token alone is useless there (RFC 9449 §7.1, RFC 8705 §3). The issuer-wide form is the issuer's
 * `binding` option; this is the per-route one.
 */
import { build } from './builders.js';
import type { BindingRequirement, WorkloadRequirement } from './requirement.js';

/**
 * Requires a sender-constrained token: `dpop` (a DPoP-bound token with its proof), `mtls` (a
 * certificate-bound token over its TLS connection) or `any` of the two. A plain bearer token is refused
 * with 401 `invalid_token` (`ERR_BINDING_REQUIRED`), and the challenge names the DPoP scheme when the
 * guard accepts it.
 *
 * @example
 * ```ts
 * and(requireScopes('payments:write'), requireBinding('dpop'));
 * ```
 */
export function requireBinding(binding: BindingRequirement['binding']): BindingRequirement {
  return build({ type: 'binding', binding }, 'requireBinding');
}

/**
 * Requires the calling workload to be one of the given SPIFFE IDs, read from the verified client
 * certificate (URI SAN) of the TLS connection or of a trusted proxy's forwarded certificate. Combine it with
 * a user requirement to check both identities; without a verified certificate the request is refused (403).
 *
 * @example
 * ```ts
 * and(requireScopes('invoices:read'), requireWorkload('spiffe://prod/ns/billing/sa/api'));
 * ```
 */
export function requireWorkload(...spiffeIds: string[]): WorkloadRequirement {
  return build({ type: 'workload', spiffeIds: Object.freeze([...spiffeIds]) }, 'requireWorkload');
}
