/**
 * Authentication strength (RFC 9470; checklist S-1…S-4, attack #42). The token's `acr` is compared
 * exactly (`"mfa "` is not `"mfa"`); every required `amr` method must be listed; a `max_age` policy needs
 * an `auth_time`, and a token without one is refused. A failure answers 401
 * `insufficient_user_authentication` with the `acr_values` / `max_age` the client should ask for.
 */
import type { AuthenticationContext } from '../model/principal.js';
import type { AuthenticationRequirement } from './requirement.js';

/** Why the authentication behind a token is not strong or recent enough, with the challenge parameters. */
export interface StepUpFailure {
  readonly detail: string;
  readonly challenge: Readonly<Record<string, string>>;
}

/**
 * Checks the authentication event of a token against a requirement; `undefined` when it is met.
 *
 * @example
 * ```ts
 * checkAuthentication({ type: 'authentication', maxAgeSeconds: 300 }, { authTime: now - 900 }, now);
 * // { detail: 'auth_time is 900 s old, more than 300 s', challenge: { max_age: '300' } }
 * ```
 */
export function checkAuthentication(
  requirement: AuthenticationRequirement,
  authentication: AuthenticationContext,
  nowSeconds: number,
): StepUpFailure | undefined {
  const challenge: Record<string, string> = {};
  if (requirement.acr) challenge.acr_values = requirement.acr.join(' ');
  if (requirement.maxAgeSeconds !== undefined) challenge.max_age = String(requirement.maxAgeSeconds);
  const fail = (detail: string): StepUpFailure => ({ detail, challenge });

  const { acr, amr, authTime } = authentication;
  if (requirement.acr && (acr === undefined || !requirement.acr.includes(acr))) {
    return fail(acr === undefined ? 'acr is missing' : 'acr is not one of the required values');
  }
  if (requirement.amr) {
    const missing = requirement.amr.filter((method) => !amr?.includes(method));
    if (missing.length > 0) return fail(`amr lacks ${missing.join(', ')}`);
  }
  if (requirement.maxAgeSeconds !== undefined) {
    if (authTime === undefined) return fail('auth_time is missing');
    const age = nowSeconds - authTime;
    if (age > requirement.maxAgeSeconds) {
      return fail(`auth_time is ${Math.floor(age)} s old, more than ${requirement.maxAgeSeconds} s`);
    }
  }
  return undefined;
}
