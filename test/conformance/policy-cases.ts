/**
 * Conformance cases of the least-privilege policy layer, run like every other case on the core and on each
 * adapter: policy-table denial, strict mode, dry-run, step-up challenges (RFC 9470), protected resource
 * metadata (RFC 9728) and revocation. The guard configurations are the profiles of `profiles.ts`.
 */
import { ERROR_TABLE, type ErrorCode } from '@nevertrust/core';
import type { ConformanceCase, TokenRecipe } from './api.js';
import { METADATA_PATH, METADATA_URL, MFA, RESOURCE } from './profiles.js';

const BEARER: readonly (readonly [string, string])[] = [['authorization', 'Bearer {token}']];
const REALM = 'conformance';

type Code = Exclude<ErrorCode, 'ERR_CONFIG'>;

/** A refusal as the guard writes it: the table's challenge error, plus any extra challenge parameters. */
function refused(code: Code, route: string, extra: Record<string, string> = {}): ConformanceCase['expect'] {
  const spec = ERROR_TABLE[code];
  const error = spec.error ? { error: spec.error, error_description: spec.description } : {};
  return {
    status: spec.status,
    challenge: { realm: REALM, ...error, ...extra },
    bodyError: spec.error ?? spec.bodyError ?? 'unauthorized',
    handlerRan: false,
    audit: { outcome: 'deny', reason: code, route },
  };
}

function allowed(route: string, dryRun?: { reason: Code; status: number }): ConformanceCase['expect'] {
  return {
    status: 200,
    challenge: null,
    bodyError: null,
    handlerRan: true,
    audit: { outcome: 'allow', reason: 'OK', route, ...(dryRun ? { dryRun } : {}) },
  };
}

/** In the policy profile every challenge points at the metadata document (RFC 9728 §5.1, P-4). */
const PRM = { resource_metadata: METADATA_URL };
const reader: TokenRecipe = { scope: 'orders:read' };

export const POLICY_CASES: readonly ConformanceCase[] = [
  // Policy table: deny by default.
  {
    name: 'policy table: a route missing from the table is 403 even with a valid token (deny by default)',
    profile: 'policy',
    method: 'GET',
    target: '/api/reports',
    token: { scope: 'reports:read' },
    headers: BEARER,
    expect: refused('ERR_POLICY_NO_MATCH', '/api/reports', PRM),
  },
  {
    name: 'policy table: a route missing from the table is 403 without credentials too',
    profile: 'policy',
    method: 'GET',
    target: '/api/reports',
    expect: refused('ERR_POLICY_NO_MATCH', '/api/reports', PRM),
  },
  {
    name: 'policy table: a publicRoute() entry needs no credentials',
    profile: 'policy',
    method: 'GET',
    target: '/health',
    expect: allowed('/health'),
  },
  {
    name: 'policy table: the entry and the route marker both apply (route scope missing → 403)',
    profile: 'policy',
    method: 'POST',
    target: '/api/orders',
    token: reader,
    headers: BEARER,
    expect: refused('ERR_INSUFFICIENT_SCOPE', '/api/orders', { scope: 'orders:write', ...PRM }),
  },
  {
    name: 'policy table: kind(user) entry refuses a service token (403)',
    profile: 'policy',
    method: 'GET',
    target: '/api/orders',
    token: { ...reader, claims: { sub: 'client-1' } },
    headers: BEARER,
    expect: refused('ERR_ACCESS_DENIED', '/api/orders', PRM),
  },
  {
    name: 'P-4 no credentials: 401 whose challenge carries only realm and resource_metadata (B-7)',
    profile: 'policy',
    method: 'GET',
    target: '/api/orders',
    expect: refused('ERR_NO_CREDENTIALS', '/api/orders', PRM),
  },
  // ABAC and RBAC through the table.
  {
    name: 'ABAC ownership: the :id route parameter equals the token sub → allowed',
    profile: 'policy',
    method: 'GET',
    target: '/api/orders/user-1',
    token: reader,
    headers: BEARER,
    expect: allowed('/api/orders/:id'),
  },
  {
    name: "ABAC ownership: another principal's :id → 403 ERR_ACCESS_DENIED",
    profile: 'policy',
    method: 'GET',
    target: '/api/orders/user-2',
    token: reader,
    headers: BEARER,
    expect: refused('ERR_ACCESS_DENIED', '/api/orders/:id', PRM),
  },
  {
    name: 'RBAC: role clerk (mapped to orders:read) reaches any order without the scope itself',
    profile: 'policy',
    method: 'GET',
    target: '/api/orders/user-2',
    token: { claims: { roles: ['clerk'] } },
    headers: BEARER,
    expect: allowed('/api/orders/:id'),
  },
  // Step-up (RFC 9470).
  {
    name: 'S-1/S-2/S-3 step-up: a password login gets 401 insufficient_user_authentication with acr_values and max_age',
    profile: 'policy',
    method: 'GET',
    target: '/api/me',
    token: { claims: { acr: 'urn:conformance:pwd' }, authTimeSecondsAgo: 10 },
    headers: BEARER,
    expect: refused('ERR_INSUFFICIENT_USER_AUTHENTICATION', '/api/me', {
      acr_values: MFA,
      max_age: '600',
      ...PRM,
    }),
  },
  {
    name: 'S-3 step-up: an authentication older than max_age gets the same challenge',
    profile: 'policy',
    method: 'GET',
    target: '/api/me',
    token: { claims: { acr: MFA }, authTimeSecondsAgo: 3600 },
    headers: BEARER,
    expect: refused('ERR_INSUFFICIENT_USER_AUTHENTICATION', '/api/me', {
      acr_values: MFA,
      max_age: '600',
      ...PRM,
    }),
  },
  {
    name: '#42 step-up: acr is compared exactly ("mfa " is not "mfa")',
    profile: 'policy',
    method: 'GET',
    target: '/api/me',
    token: { claims: { acr: `${MFA} ` }, authTimeSecondsAgo: 10 },
    headers: BEARER,
    expect: refused('ERR_INSUFFICIENT_USER_AUTHENTICATION', '/api/me', {
      acr_values: MFA,
      max_age: '600',
      ...PRM,
    }),
  },
  {
    name: 'step-up: a recent multi-factor login is allowed',
    profile: 'policy',
    method: 'GET',
    target: '/api/me',
    token: { claims: { acr: MFA }, authTimeSecondsAgo: 10 },
    headers: BEARER,
    expect: allowed('/api/me'),
  },
  // Dry-run of one entry.
  {
    name: 'dry-run entry: the would-be 403 is recorded, the request is served',
    profile: 'policy',
    method: 'DELETE',
    target: '/api/orders/7',
    token: { scope: 'orders:admin' },
    headers: BEARER,
    expect: allowed('/api/orders/:id', { reason: 'ERR_ACCESS_DENIED', status: 403 }),
  },
  {
    name: 'dry-run entry never covers the route marker (scope missing → 403)',
    profile: 'policy',
    method: 'DELETE',
    target: '/api/orders/7',
    token: reader,
    headers: BEARER,
    expect: refused('ERR_INSUFFICIENT_SCOPE', '/api/orders/:id', { scope: 'orders:admin', ...PRM }),
  },
  {
    name: 'dry-run entry never covers invalid credentials (expired → 401)',
    profile: 'policy',
    method: 'DELETE',
    target: '/api/orders/7',
    token: { scope: 'orders:admin', expiredSecondsAgo: 600 },
    headers: BEARER,
    expect: refused('ERR_TOKEN_EXPIRED', '/api/orders/:id', PRM),
  },
  // Revocation (assume breach).
  {
    name: 'A10 revocation: every token of a revoked subject is 401 invalid_token',
    profile: 'policy',
    method: 'GET',
    target: '/api/orders',
    token: { ...reader, claims: { sub: 'revoked-user' } },
    headers: BEARER,
    expect: refused('ERR_TOKEN_REVOKED', '/api/orders', PRM),
  },
  {
    name: 'revocation: a token revoked by issuer + jti is 401 invalid_token',
    profile: 'policy',
    method: 'GET',
    target: '/api/orders',
    token: { ...reader, claims: { jti: 'revoked-jti' } },
    headers: BEARER,
    expect: refused('ERR_TOKEN_REVOKED', '/api/orders', PRM),
  },
  // Protected resource metadata (RFC 9728).
  {
    name: 'P-1/P-2/P-3 the metadata document is public, at the well-known path of the resource',
    profile: 'policy',
    method: 'GET',
    target: METADATA_PATH,
    needs: ['routing'],
    expect: {
      status: 200,
      challenge: null,
      bodyError: null,
      handlerRan: false,
      audit: null,
      json: {
        resource: RESOURCE,
        authorization_servers: ['https://idp.conformance.test/'],
        bearer_methods_supported: ['header'],
        scopes_supported: ['graphql:query', 'orders:read'],
        resource_name: 'Conformance API',
      },
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=3600' },
    },
  },
  // Strict mode.
  {
    name: 'strict mode: a route that declares nothing is refused (403) and recorded',
    profile: 'strict',
    method: 'GET',
    target: '/api/me',
    token: reader,
    headers: BEARER,
    expect: refused('ERR_ROUTE_NOT_DECLARED', '/api/me'),
  },
  {
    name: 'strict mode: declared routes are served as usual',
    profile: 'strict',
    method: 'GET',
    target: '/api/orders',
    token: reader,
    headers: BEARER,
    expect: allowed('/api/orders'),
  },
  {
    name: 'strict mode: the public marker still needs no credentials',
    profile: 'strict',
    method: 'GET',
    target: '/health',
    expect: allowed('/health'),
  },
  // Global dry-run (with strict mode and a table).
  {
    name: 'global dry-run: a route missing from the table is served, the would-be 403 recorded',
    profile: 'dry-run',
    method: 'GET',
    target: '/api/reports',
    token: { scope: 'reports:read' },
    headers: BEARER,
    expect: allowed('/api/reports', { reason: 'ERR_POLICY_NO_MATCH', status: 403 }),
  },
  {
    name: 'global dry-run: unmet entry and route requirements are served, the first refusal recorded',
    profile: 'dry-run',
    method: 'GET',
    target: '/api/orders',
    token: { scope: 'profile' },
    headers: BEARER,
    expect: allowed('/api/orders', { reason: 'ERR_ACCESS_DENIED', status: 403 }),
  },
  {
    name: 'global dry-run never covers missing credentials (401)',
    profile: 'dry-run',
    method: 'GET',
    target: '/api/orders',
    expect: refused('ERR_NO_CREDENTIALS', '/api/orders'),
  },
];
