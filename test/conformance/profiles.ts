/**
 * Guard configurations the conformance API is served with, beyond the default: the least-privilege policy
 * layer (policy table, roles, step-up, dry-run entry, revocation, RFC 9728 metadata), strict mode, and
 * global dry-run. Every target of a profile gets the same options (and its own guard).
 */
import {
  createMemoryRevocationStore,
  type GuardOptions,
  or,
  type PolicyRoute,
  publicRoute,
  requireAuthentication,
  requireKind,
  requireOwnership,
  requireRoles,
  requireScopes,
} from '@nevertrust/core';
import type { Framework } from './apps.js';
import { DPOP_NONCE_PROFILE, DPOP_PROFILE } from './dpop-profile.js';
import { STORE_FAULTS_PROFILE } from './store-profile.js';

export type ProfileName =
  | 'default'
  | 'policy'
  | 'strict'
  | 'dry-run'
  | 'store-faults'
  | 'dpop'
  | 'dpop-nonce';

export interface Profile {
  /** The guard options of this profile, from the fixture's base options. */
  readonly options: (base: GuardOptions) => Promise<GuardOptions>;
  /** The frameworks that must refuse to start the conformance API under this profile, with the reason. */
  readonly refusesToStart?: { readonly frameworks: readonly Framework[]; readonly problem: string };
}

/** The RFC 9728 resource identifier of the policy profile; its document is served at the path below. */
export const RESOURCE = 'https://api.conformance.test/api';
export const METADATA_PATH = '/.well-known/oauth-protected-resource/api';
export const METADATA_URL = `https://api.conformance.test${METADATA_PATH}`;
export const MFA = 'urn:conformance:mfa';

/** The policy table over the conformance API; `GET /api/reports` is deliberately missing (deny by default). */
const TABLE: PolicyRoute[] = [
  { method: 'GET', path: '/health', requirement: publicRoute() },
  { method: 'GET', path: '/api/status', requirement: publicRoute() },
  { method: 'GET', path: '/api/me', requirement: requireAuthentication({ acr: [MFA], maxAgeSeconds: 600 }) },
  { method: ['GET', 'POST'], path: '/api/orders', requirement: requireKind('user') },
  { method: 'GET', path: '/api/orders/:id', requirement: or(requireRoles('clerk'), requireOwnership('id')) },
  { method: 'DELETE', path: '/api/orders/:id', requirement: requireRoles('order-admin'), dryRun: true },
  // A handler mounted with `use` (Express, Koa) is covered by the table like a route.
  { method: 'POST', path: '/graphql', requirement: requireScopes('graphql:query') },
];

function mainIssuer(base: GuardOptions): string {
  const [main] = base.issuers;
  if (!main) throw new Error('the fixture has no issuer');
  return main.issuer;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  default: { options: async (base) => base },
  'store-faults': STORE_FAULTS_PROFILE,
  dpop: DPOP_PROFILE,
  'dpop-nonce': DPOP_NONCE_PROFILE,
  policy: {
    async options(base) {
      const issuer = mainIssuer(base);
      // Revocations made before the run: every token of `revoked-user`, and the token `revoked-jti`.
      const store = createMemoryRevocationStore();
      const now = Math.floor(Date.now() / 1000);
      await store.add(
        { kind: 'subject', issuer, subject: 'revoked-user', issuedBefore: now + 3600, expiresAt: now + 7200 },
        now,
      );
      await store.add({ kind: 'token', issuer, tokenId: 'revoked-jti', expiresAt: now + 7200 }, now);
      return {
        ...base,
        issuers: base.issuers.map((entry) =>
          entry.issuer === issuer ? { ...entry, roleClaim: 'roles' } : entry,
        ),
        policy: { routes: TABLE, roles: { clerk: ['orders:read'] } },
        revocation: { store },
        resourceMetadata: {
          resource: RESOURCE,
          resourceName: 'Conformance API',
          authorizationServers: [issuer],
        },
      };
    },
  },
  strict: {
    options: async (base) => ({ ...base, policy: { strict: true } }),
    // Nest on Fastify registers its routes through @nevertrust/fastify, which refuses the same route.
    refusesToStart: {
      frameworks: ['fastify', 'nest-fastify'],
      problem: 'GET /api/me: declares no requirement (policy.strict)',
    },
  },
  'dry-run': {
    options: async (base) => ({
      ...base,
      issuers: base.issuers.map((entry, index) => (index === 0 ? { ...entry, roleClaim: 'roles' } : entry)),
      policy: {
        strict: true,
        dryRun: true,
        routes: [
          { method: 'GET', path: '/health', requirement: publicRoute() },
          { method: 'GET', path: '/api/orders', requirement: requireRoles('auditor') },
        ],
      },
    }),
  },
};
