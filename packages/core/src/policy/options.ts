/**
 * The policy layer's options and their zod schemas, plugged into the guard's one options schema. Route
 * tables are checked entry by entry (and for conflicts) when the guard compiles them, with the same
 * `path: expectation` messages.
 */

import * as z from 'zod/mini';
import { lazySchema } from '../model/lazy-schema.js';
import { checkedString, intIn, nonEmptyString } from '../model/schema-parts.js';
import { claimPathSchema } from './claim-path.js';
import { scopeTokenSchema as scopeToken } from './requirement-schema.js';
import { resourceIdentifierProblem } from './resource-metadata.js';
import type { RevocationStore } from './revocation-store.js';
import type { PolicyRoute } from './route-table.js';

/**
 * Least-privilege settings of a guard.
 *
 * @example
 * ```ts
 * createGuard({
 *   issuers,
 *   policy: {
 *     strict: true,
 *     roles: { admin: ['orders:read', 'orders:write'] },
 *     routes: [
 *       { method: 'GET', path: '/health', requirement: publicRoute() },
 *       { method: 'GET', path: '/orders/:id', requirement: requireScopes('orders:read') },
 *     ],
 *   },
 * });
 * ```
 */
export interface PolicyOptions {
  /** Route policy table; when present, a request matching no entry is denied (403). */
  readonly routes?: readonly PolicyRoute[];
  /** Refuse (403) every request whose route declared no requirement and matched no table entry. */
  readonly strict?: boolean;
  /** Compute and audit every policy decision but let requests through. Never covers bad credentials. */
  readonly dryRun?: boolean;
  /** Role → scopes it grants (RBAC); roles are read from each issuer's `roleClaim`. */
  readonly roles?: Readonly<Record<string, readonly string[]>>;
}

/** Where revocations are kept. */
export interface RevocationOptions {
  /** A shared store (e.g. `@nevertrust/redis`). Default: in process. */
  readonly store?: RevocationStore;
  /** Capacity of the in-process store. Default 100 000. */
  readonly maxEntries?: number;
  /**
   * Bound of one lookup in `store`, in milliseconds; a lookup that takes longer is a store fault (503
   * `ERR_REVOCATION_UNAVAILABLE`). Default 1000. Revocation has no fail-open choice: it never fails open.
   */
  readonly timeoutMs?: number;
}

/**
 * The schema of an issuer's `roleClaim`.
 *
 * @example
 * ```ts
 * z.strictObject({ roleClaim: z.optional(roleClaimSchema()) });
 * ```
 */
export const roleClaimSchema = claimPathSchema;

/**
 * The schema of {@link PolicyOptions}; route entries are checked when the table is compiled.
 *
 * @example
 * ```ts
 * z.strictObject({ policy: z.optional(policySchema()) });
 * ```
 */
export const policySchema = lazySchema(() =>
  z.strictObject({
    routes: z.optional(z.array(z.custom<PolicyRoute>(() => true))),
    strict: z.optional(z.boolean()),
    dryRun: z.optional(z.boolean()),
    roles: z.optional(z.record(nonEmptyString(), z.array(scopeToken()))),
  }),
);

/**
 * The schema of {@link RevocationOptions}.
 *
 * @example
 * ```ts
 * z.strictObject({ revocation: z.optional(revocationSchema()) });
 * ```
 */
export const revocationSchema = lazySchema(() =>
  z.strictObject({
    store: z.optional(
      z.custom<RevocationStore>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as RevocationStore).add === 'function' &&
          typeof (value as RevocationStore).find === 'function',
        { message: 'expected a revocation store with add() and find()' },
      ),
    ),
    maxEntries: z.optional(z.number().check(z.int(), z.positive())),
    timeoutMs: z.optional(intIn(1, 60_000)),
  }),
);

/**
 * The schema of `ResourceMetadataOptions`.
 *
 * @example
 * ```ts
 * z.strictObject({ resourceMetadata: z.optional(resourceMetadataSchema()) });
 * ```
 */
export const resourceMetadataSchema = lazySchema(() => {
  const text = nonEmptyString();
  const url = z.optional(z.url({ message: 'expected an absolute URL' }));
  return z.strictObject({
    resource: checkedString(resourceIdentifierProblem),
    authorizationServers: z.optional(z.array(text)),
    scopesSupported: z.optional(z.array(scopeToken())),
    resourceName: z.optional(text),
    resourceDocumentation: url,
    resourcePolicyUri: url,
    resourceTosUri: url,
    maxAgeSeconds: z.optional(z.number().check(z.int(), z.gte(0))),
  });
});
