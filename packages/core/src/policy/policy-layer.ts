/**
 * Assembles the policy layer of a guard from validated options: the compiled route table, the role
 * settings, the revocation service and the protected resource metadata. Everything that can be wrong is
 * found here, at start-up, as a {@link ConfigError}.
 */

import type { BindingPolicy } from '../bind/binding-policy.js';
import { type DpopOptions, dpopAlgs } from '../bind/dpop-options.js';
import { DEFAULT_STORE_TIMEOUT_MS, type StoreFault, type StoreRefusal } from '../model/store-faults.js';
import { type Authoriser, createAuthoriser } from './authorise.js';
import type { ClaimPathInput } from './claim-path.js';
import { toClaimPath } from './claim-path.js';
import { requiredScopesOf } from './describe.js';
import type { PolicyOptions, RevocationOptions } from './options.js';
import {
  createResourceMetadata,
  type ResourceMetadataEndpoint,
  type ResourceMetadataOptions,
} from './resource-metadata.js';
import { createRevocationService, type Revocation } from './revocation.js';
import { createMemoryRevocationStore } from './revocation-store.js';
import { compileRouteTable, type RouteTable } from './route-table.js';

/** The policy settings of a guard, as adapters and the coverage report see them. */
export interface PolicyView {
  readonly strict: boolean;
  readonly dryRun: boolean;
  /** The compiled policy table, when the options carry one. */
  readonly table: RouteTable | undefined;
}

/** The parts of validated guard options the policy layer reads. */
export interface PolicyLayerOptions {
  readonly issuers: readonly {
    readonly issuer: string;
    readonly roleClaim?: ClaimPathInput | undefined;
    readonly maxLifetimeSeconds: number;
    readonly binding?: BindingPolicy | undefined;
  }[];
  /** The guard's DPoP options, published in the resource metadata. */
  readonly dpop?: DpopOptions | undefined;
  readonly policy?: PolicyOptions | undefined;
  readonly revocation?: RevocationOptions | undefined;
  readonly resourceMetadata?: ResourceMetadataOptions | undefined;
  readonly allowQueryToken: boolean;
  /** Whether certificate-bound tokens are accepted (the `mtls` option), for the metadata (M-7). */
  readonly mtls?: object | undefined;
  readonly clockToleranceSeconds: number;
  readonly clock: () => number;
  /** The guard's store-fault path (see `store-faults.ts`). */
  readonly onStoreFault?: ((fault: StoreFault) => StoreRefusal | undefined) | undefined;
}

/** The assembled policy layer. */
export interface PolicyLayer {
  readonly authoriser: Authoriser;
  readonly revocation: Revocation;
  readonly resourceMetadata: ResourceMetadataEndpoint | undefined;
  readonly view: PolicyView;
}

/**
 * Builds the policy layer; throws {@link ConfigError} for a bad or conflicting table entry or role claim.
 *
 * @example
 * ```ts
 * const layer = createPolicyLayer(validateOptions(options));
 * const plan = layer.authoriser.plan(facts, undefined);
 * ```
 */
export function createPolicyLayer(options: PolicyLayerOptions): PolicyLayer {
  const policy = options.policy ?? {};
  const table = policy.routes ? compileRouteTable(policy.routes) : undefined;
  const claimByIssuer = new Map<string, readonly string[]>();
  options.issuers.forEach((issuer, index) => {
    if (issuer.roleClaim !== undefined) {
      claimByIssuer.set(issuer.issuer, toClaimPath(issuer.roleClaim, `issuers[${index}].roleClaim`));
    }
  });
  const scopesByRole = new Map(Object.entries(policy.roles ?? {}));
  const revocation = createRevocationService({
    store:
      options.revocation?.store ??
      createMemoryRevocationStore({ maxEntries: options.revocation?.maxEntries ?? 100_000 }),
    maxLifetimeByIssuer: new Map(options.issuers.map((issuer) => [issuer.issuer, issuer.maxLifetimeSeconds])),
    clockToleranceSeconds: options.clockToleranceSeconds,
    clock: options.clock,
    // The in-process store answers synchronously: only a shared store's lookups need a bound.
    timeoutMs: options.revocation?.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
    onFault: options.onStoreFault,
  });
  let resourceMetadata: ResourceMetadataEndpoint | undefined;
  if (options.resourceMetadata) {
    const scopes = new Set<string>();
    for (const route of table?.routes ?? [])
      for (const scope of requiredScopesOf(route.requirement) ?? []) scopes.add(scope);
    for (const granted of scopesByRole.values()) for (const scope of granted) scopes.add(scope);
    resourceMetadata = createResourceMetadata(options.resourceMetadata, {
      authorizationServers: options.issuers.map((issuer) => issuer.issuer),
      scopesSupported: [...scopes].sort(),
      bearerMethods: options.allowQueryToken ? ['header', 'query'] : ['header'],
      certificateBoundTokens: options.mtls !== undefined,
      dpopSigningAlgs: options.dpop && dpopAlgs(options.dpop).split(' '),
      dpopBoundRequired: options.issuers.every((issuer) => issuer.binding === 'dpop-required'),
    });
  }
  const authoriser = createAuthoriser({
    table,
    strict: policy.strict ?? false,
    dryRun: policy.dryRun ?? false,
    roles: { claimByIssuer, scopesByRole },
    ...(resourceMetadata ? { isPublicResource: resourceMetadata.serves } : {}),
    isRevoked: (token, nowSeconds) => revocation.check(token.principal, nowSeconds),
  });
  return {
    authoriser,
    revocation,
    resourceMetadata,
    view: Object.freeze({ strict: policy.strict ?? false, dryRun: policy.dryRun ?? false, table }),
  };
}
