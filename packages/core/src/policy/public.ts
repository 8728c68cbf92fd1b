/**
 * The policy layer's public surface beyond the requirement builders (which `requirements.ts` exports):
 * option types, the policy table, revocation, protected resource metadata and coverage reports.
 */
export type { DryRunRecord } from './authorise.js';
export { type ClaimPathInput, readClaim } from './claim-path.js';
export {
  buildCoverage,
  type CoverageReport,
  type CoverageRow,
  type DeclaredRoute,
  formatCoverage,
  type HandlerKind,
} from './coverage.js';
export type { PolicyOptions, RevocationOptions } from './options.js';
export type { PolicyView } from './policy-layer.js';
export type { ResourceMetadataEndpoint, ResourceMetadataOptions } from './resource-metadata.js';
export type { Revocation } from './revocation.js';
export {
  createMemoryRevocationStore,
  type MemoryRevocationStoreOptions,
  type RevocationEntry,
  type RevocationQuery,
  type RevocationStore,
  revocationKey,
  revokes,
} from './revocation-store.js';
export {
  compileRouteTable,
  type PolicyRoute,
  type ResolvedRoute,
  type RouteMatch,
  type RouteTable,
} from './route-table.js';
