/**
 * Recognising a real CORS preflight. Browsers never attach credentials to a preflight (Fetch standard,
 * CORS-preflight fetch), so an API that authenticates every request would break every cross-origin
 * client; the opt-in `preflight` adapter option lets exactly these requests reach the CORS handling.
 * Anything less than a real preflight (an `OPTIONS` without `Origin` or without
 * `Access-Control-Request-Method`) is an ordinary request and is authenticated.
 */
import type { RequestFacts } from '../model/facts.js';
import { PUBLIC, type Requirement } from '../policy/requirements.js';

function single(values: readonly string[] | undefined): boolean {
  return values !== undefined && values.length === 1 && values[0] !== '';
}

/**
 * Whether a request is a CORS preflight: `OPTIONS` with exactly one non-empty `Origin` and one non-empty
 * `Access-Control-Request-Method` header.
 *
 * @example
 * ```ts
 * if (settings.preflight && isCorsPreflight(gate.facts)) return corsHandler(req, res, next);
 * ```
 */
export function isCorsPreflight(facts: RequestFacts): boolean {
  return (
    facts.method === 'OPTIONS' &&
    single(facts.headers.origin) &&
    single(facts.headers['access-control-request-method'])
  );
}

/**
 * What a real preflight is decided against when the adapter's `preflight` option is on: the public
 * requirement, so it is recorded as an allow (and refused like anywhere else if it carries a bad token).
 */
export const PREFLIGHT: readonly Requirement[] = Object.freeze([PUBLIC]);
