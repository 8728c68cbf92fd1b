/**
 * An issuer's binding policy: which sender bindings its tokens must carry. `bearer-allowed` (the default)
 * accepts plain bearer tokens and bound ones alike — a bound token still has to come with its proof of
 * possession, on every request (D-14, D-15). The stricter policies refuse tokens without the binding at
 * verification, so such a token never reaches the verified-token cache.
 */
import type { SenderBinding } from '../model/principal.js';

/** Which bindings an issuer's tokens must carry. */
export type BindingPolicy = 'bearer-allowed' | 'dpop-required' | 'mtls-required' | 'any-bound';

/** Every binding policy, for the options schema. */
export const BINDING_POLICIES = ['bearer-allowed', 'dpop-required', 'mtls-required', 'any-bound'] as const;

/**
 * Why a token with `binding` is refused under `policy`, or undefined when it may be used.
 *
 * @example
 * ```ts
 * bindingPolicyProblem('dpop-required', { type: 'none' }); // 'issuer requires DPoP-bound tokens (cnf.jkt)'
 * ```
 */
export function bindingPolicyProblem(policy: BindingPolicy, binding: SenderBinding): string | undefined {
  switch (policy) {
    case 'bearer-allowed':
      return undefined;
    case 'dpop-required':
      return binding.type === 'dpop' ? undefined : 'issuer requires DPoP-bound tokens (cnf.jkt)';
    case 'mtls-required':
      return binding.type === 'mtls' ? undefined : 'issuer requires certificate-bound tokens (cnf x5t#S256)';
    case 'any-bound':
      return binding.type === 'none' ? 'issuer requires sender-constrained tokens (cnf)' : undefined;
  }
}
