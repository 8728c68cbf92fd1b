/**
 * Builders of attribute-based conditions on the request itself (method, route parameters, client address)
 * and of authentication strength (RFC 9470 step-up). They only ever narrow access: every one of them is
 * evaluated after the token was verified.
 */

import { build, unique } from './builders.js';
import { type ClaimPathInput, toClaimPath } from './claim-path.js';
import type {
  AddressRequirement,
  AuthenticationRequirement,
  MethodRequirement,
  OwnershipRequirement,
} from './requirement.js';

/**
 * Requires one of the listed methods (exact, case-sensitive, RFC 9110 §9.1).
 *
 * @example
 * ```ts
 * or(requireMethod('GET', 'HEAD'), requireScopes('reports:write'));
 * ```
 */
export function requireMethod(...methods: string[]): MethodRequirement {
  return build({ type: 'method', methods: unique(methods) }, 'requireMethod');
}

/**
 * Ownership: the route parameter `param` must equal the string claim at `claim` (default `sub`), so a
 * user reaches `/users/:userId/...` only for their own id.
 *
 * @example
 * ```ts
 * app.get('/users/:userId/orders', route(requireOwnership('userId')), handler);
 * ```
 */
export function requireOwnership(param: string, claim: ClaimPathInput = 'sub'): OwnershipRequirement {
  return build(
    { type: 'ownership', param, claim: toClaimPath(claim, 'requireOwnership() claim') },
    'requireOwnership',
  );
}

/**
 * Requires the socket peer address to lie in one of the CIDR ranges. An extra condition only: the token is
 * still verified first, so an address never replaces authentication.
 *
 * @example
 * ```ts
 * and(requireRoles('operator'), requireAddress('10.0.0.0/8', 'fd00::/8'));
 * ```
 */
export function requireAddress(...cidrs: string[]): AddressRequirement {
  return build({ type: 'address', cidrs: Object.freeze([...cidrs]) }, 'requireAddress');
}

/** What {@link requireAuthentication} asks of the authentication event behind a token. */
export interface AuthenticationStrength {
  /** Acceptable `acr` values, most preferred first (sent as `acr_values`). */
  readonly acr?: readonly string[];
  /** Methods that must all appear in `amr`, e.g. `['mfa']`. */
  readonly amr?: readonly string[];
  /** Largest accepted age of `auth_time`, in seconds (sent as `max_age`). */
  readonly maxAgeSeconds?: number;
}

/**
 * Requires a strong or recent enough authentication; when it is not met the client gets RFC 9470's 401
 * `insufficient_user_authentication` challenge with `acr_values` / `max_age`, so it can step up.
 *
 * @example
 * ```ts
 * requireAuthentication({ acr: ['urn:example:loa:3'], maxAgeSeconds: 300 });
 * ```
 */
export function requireAuthentication(strength: AuthenticationStrength): AuthenticationRequirement {
  const value: { -readonly [K in keyof AuthenticationRequirement]: AuthenticationRequirement[K] } = {
    type: 'authentication',
  };
  if (strength.acr !== undefined) value.acr = Object.freeze([...strength.acr]);
  if (strength.amr !== undefined) value.amr = Object.freeze([...strength.amr]);
  if (strength.maxAgeSeconds !== undefined) value.maxAgeSeconds = strength.maxAgeSeconds;
  return build(value, 'requireAuthentication');
}
