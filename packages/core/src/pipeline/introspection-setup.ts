/**
 * Wires RFC 7662 introspection into a guard: which configured issuers introspect, the one an opaque token
 * goes to (it carries no `iss`, so with several introspecting issuers exactly one must be marked
 * `default` — the guard never tries them in turn, which would send every token to every provider), and the
 * introspector itself. Checked at start-up, never per request.
 */
import type { JsonFetcher } from '../keys/fetch-json.js';
import { resolveIntrospection } from '../token/introspection-options.js';
import {
  createIntrospector,
  type IntrospectingIssuer,
  type IntrospectionReport,
  type Introspector,
} from '../token/introspector.js';
import type { ResolvedIssuer } from '../token/verify-token.js';
import type { ValidatedOptions } from './options.js';

type IssuerInput = { readonly introspection?: { readonly default?: boolean | undefined } | undefined };

/**
 * The start-up problems of the issuers' `introspection` options: with several introspecting issuers,
 * exactly one must be `default: true`.
 *
 * @example
 * ```ts
 * introspectionProblems(options.issuers); // ['issuers: expected exactly one ... default ...']
 * ```
 */
export function introspectionProblems(issuers: readonly IssuerInput[]): string[] {
  const introspecting = issuers.filter((issuer) => issuer.introspection !== undefined);
  const defaults = introspecting.filter((issuer) => issuer.introspection?.default === true);
  if (introspecting.length > 1 && defaults.length !== 1) {
    return [
      'issuers: expected exactly one issuer with introspection.default: true when several issuers introspect (an opaque token names no issuer)',
    ];
  }
  return [];
}

/**
 * Creates the guard's introspector, or undefined when no issuer introspects.
 *
 * @example
 * ```ts
 * const introspector = createGuardIntrospector(validated, issuers, fetchJson, monitor.onIntrospection);
 * ```
 */
export function createGuardIntrospector(
  options: ValidatedOptions,
  issuers: ReadonlyMap<string, ResolvedIssuer>,
  fetchJson: JsonFetcher,
  onReport: (report: IntrospectionReport) => void,
): Introspector | undefined {
  const introspecting: IntrospectingIssuer[] = [];
  for (const configured of options.issuers) {
    const resolved = issuers.get(configured.issuer);
    if (configured.introspection === undefined || resolved === undefined) continue;
    const introspection = resolveIntrospection(configured.introspection);
    introspecting.push({
      issuer: resolved,
      introspection,
      discovery: configured.discovery ?? 'openid-configuration',
    });
  }
  const fallback =
    introspecting.length === 1
      ? introspecting[0]
      : introspecting.find((target) => target.introspection.default);
  if (fallback === undefined) return undefined;
  const allTokens = new Map(
    introspecting
      .filter((target) => target.introspection.mode === 'all')
      .map((target) => [target.issuer.issuer, target]),
  );
  return createIntrospector({
    fallback,
    allTokens,
    fetchJson,
    ca: options.keyFetch.ca,
    maxEntries: options.cache === false ? 10_000 : options.cache.maxEntries,
    clock: options.clock,
    onReport,
  });
}
