/**
 * The policy layer's options and their zod schemas, plugged into the guard's one options schema. Route
 * tables are checked entry by entry (and for conflicts) when the guard compiles them, with the same
 * `path: expectation` messages.
 */

import { z } from 'zod';
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

const text = z.string().min(1, 'expected a non-empty string');
const url = z.url({ message: 'expected an absolute URL' });

/**
 * The schema of an issuer's `roleClaim`.
 *
 * @example
 * ```ts
 * issuerSchema.extend({ roleClaim: roleClaimSchema.optional() });
 * ```
 */
export const roleClaimSchema = claimPathSchema;

/**
 * The schema of {@link PolicyOptions}; route entries are checked when the table is compiled.
 *
 * @example
 * ```ts
 * guardSchema.extend({ policy: policySchema.optional() });
 * ```
 */
export const policySchema = z.strictObject({
  routes: z.array(z.custom<PolicyRoute>(() => true)).optional(),
  strict: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  roles: z.record(text, z.array(scopeToken)).optional(),
});

/**
 * The schema of {@link RevocationOptions}.
 *
 * @example
 * ```ts
 * guardSchema.extend({ revocation: revocationSchema.optional() });
 * ```
 */
export const revocationSchema = z.strictObject({
  store: z
    .custom<RevocationStore>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        typeof (value as RevocationStore).add === 'function' &&
        typeof (value as RevocationStore).find === 'function',
      { message: 'expected a revocation store with add() and find()' },
    )
    .optional(),
  maxEntries: z.number().int().positive().optional(),
  timeoutMs: z.number().int().min(1).max(60_000).optional(),
});

/**
 * The schema of `ResourceMetadataOptions`.
 *
 * @example
 * ```ts
 * guardSchema.extend({ resourceMetadata: resourceMetadataSchema.optional() });
 * ```
 */
export const resourceMetadataSchema = z.strictObject({
  resource: z.string().superRefine((value, ctx) => {
    const problem = resourceIdentifierProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  authorizationServers: z.array(text).optional(),
  scopesSupported: z.array(scopeToken).optional(),
  resourceName: text.optional(),
  resourceDocumentation: url.optional(),
  resourcePolicyUri: url.optional(),
  resourceTosUri: url.optional(),
  maxAgeSeconds: z.number().int().min(0).optional(),
});
