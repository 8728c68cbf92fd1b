/**
 * The conformance suite as data: cases that each say what a request is and what must come back — status,
 * challenge, body error, whether the handler ran and the audit event — against the API of `api.ts`. Test
 * names carry the checklist IDs of `reference/standards.md`.
 */
import { ERROR_TABLE, type ErrorCode } from '@nevertrust/core';
import type { ConformanceCase } from './api.js';

export const BEARER: readonly (readonly [string, string])[] = [['authorization', 'Bearer {token}']];

/** The challenge of a refusal with an RFC 6750 error; its description is the fixed text of the code. */
function challenge(code: Exclude<ErrorCode, 'ERR_CONFIG'>, scope?: string): Record<string, string> {
  const spec = ERROR_TABLE[code];
  return {
    realm: 'conformance',
    error: spec.error ?? '',
    error_description: spec.description,
    ...(scope ? { scope } : {}),
  };
}

/** The expectation of a refusal with `code`: its challenge, body error, no handler, a deny audit event. */
export function refused(
  status: number,
  code: Exclude<ErrorCode, 'ERR_CONFIG'>,
  route: string | undefined,
  scope?: string,
): ConformanceCase['expect'] {
  const spec = ERROR_TABLE[code];
  return {
    status,
    challenge: spec.error ? challenge(code, scope) : status === 401 ? { realm: 'conformance' } : null,
    bodyError: spec.error ?? spec.bodyError ?? 'unauthorized',
    handlerRan: false,
    audit: { outcome: 'deny', reason: code, route },
  };
}

/** The expectation of an allowed request on `route`. */
export function allowed(route: string): ConformanceCase['expect'] {
  return {
    status: 200,
    challenge: null,
    bodyError: null,
    handlerRan: true,
    audit: { outcome: 'allow', reason: 'OK', route },
  };
}

const read = { scope: 'orders:read' } as const;

export const CASES: readonly ConformanceCase[] = [
  {
    name: 'B-7 no credentials: 401 with a challenge that carries no error',
    method: 'GET',
    target: '/api/orders',
    expect: refused(401, 'ERR_NO_CREDENTIALS', '/api/orders'),
  },
  {
    name: 'B-2 malformed credentials (space inside the token): 400 invalid_request',
    method: 'GET',
    target: '/api/orders',
    headers: [['authorization', 'Bearer abc def']],
    expect: refused(400, 'ERR_MALFORMED_CREDENTIALS', '/api/orders'),
  },
  {
    name: '#32 duplicate Authorization headers: 400 invalid_request',
    method: 'GET',
    target: '/api/orders',
    token: read,
    headers: [...BEARER, ['authorization', 'Bearer {token}']],
    expect: refused(400, 'ERR_MULTIPLE_CREDENTIALS', '/api/orders'),
  },
  {
    name: 'B-3 the scheme is case-insensitive',
    method: 'GET',
    target: '/api/orders',
    token: read,
    headers: [['authorization', 'bEaReR {token}']],
    expect: allowed('/api/orders'),
  },
  {
    name: 'another scheme (Basic) is no bearer credential: 401 without error',
    method: 'GET',
    target: '/api/orders',
    headers: [['authorization', 'Basic dXNlcjpwYXNz']],
    expect: refused(401, 'ERR_NO_CREDENTIALS', '/api/orders'),
  },
  {
    name: '#4 bad signature: 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { ...read, forged: true },
    headers: BEARER,
    expect: refused(401, 'ERR_SIGNATURE_INVALID', '/api/orders'),
  },
  {
    name: 'AT-7 / #28 untrusted issuer: 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { ...read, issuer: 'untrusted' },
    headers: BEARER,
    expect: refused(401, 'ERR_ISSUER_UNKNOWN', '/api/orders'),
  },
  {
    name: 'AT-8 / #30 wrong audience: 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { ...read, claims: { aud: 'https://other-api.conformance.test' } },
    headers: BEARER,
    expect: refused(401, 'ERR_AUDIENCE_MISMATCH', '/api/orders'),
  },
  {
    name: 'AT-2 / #29 wrong type (typ JWT): 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { ...read, header: { typ: 'JWT' } },
    headers: BEARER,
    expect: refused(401, 'ERR_TOKEN_TYPE', '/api/orders'),
  },
  {
    name: 'AT-10 expired token: 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { ...read, expiredSecondsAgo: 600 },
    headers: BEARER,
    expect: refused(401, 'ERR_TOKEN_EXPIRED', '/api/orders'),
  },
  {
    name: 'J-11 not yet valid (nbf in 10 minutes): 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { ...read, validInSeconds: 600 },
    headers: BEARER,
    expect: refused(401, 'ERR_TOKEN_NOT_YET_VALID', '/api/orders'),
  },
  {
    name: 'AT-12 all-of scopes: a read scope cannot write (403 insufficient_scope with scope)',
    method: 'POST',
    target: '/api/orders',
    token: read,
    headers: BEARER,
    expect: refused(403, 'ERR_INSUFFICIENT_SCOPE', '/api/orders', 'orders:write'),
  },
  {
    name: '#39 scopes match exactly: orders:write-admin is not orders:write',
    method: 'POST',
    target: '/api/orders',
    token: { scope: 'orders:write-admin ORDERS:WRITE' },
    headers: BEARER,
    expect: refused(403, 'ERR_INSUFFICIENT_SCOPE', '/api/orders', 'orders:write'),
  },
  {
    name: 'all-of scopes granted: allowed, the handler runs',
    method: 'POST',
    target: '/api/orders',
    token: { scope: 'orders:read orders:write' },
    headers: BEARER,
    expect: allowed('/api/orders'),
  },
  {
    name: 'any-of scopes: one of them is enough',
    method: 'GET',
    target: '/api/reports',
    token: { scope: 'admin' },
    headers: BEARER,
    expect: allowed('/api/reports'),
  },
  {
    name: 'AT-12 any-of scopes: none of them is 403 with every acceptable scope',
    method: 'GET',
    target: '/api/reports',
    token: read,
    headers: BEARER,
    expect: refused(403, 'ERR_INSUFFICIENT_SCOPE', '/api/reports', 'reports:read admin'),
  },
  {
    name: 'route template under the /api prefix is what the audit shows',
    method: 'GET',
    target: '/api/orders/42?expand=lines',
    token: read,
    headers: BEARER,
    expect: allowed('/api/orders/:id'),
  },
  {
    name: 'undeclared route: any valid token',
    method: 'GET',
    target: '/api/me',
    token: { scope: 'profile' },
    headers: BEARER,
    expect: allowed('/api/me'),
  },
  {
    name: 'undeclared route: no credentials is 401',
    method: 'GET',
    target: '/api/me',
    expect: refused(401, 'ERR_NO_CREDENTIALS', '/api/me'),
  },
  {
    name: 'public route without credentials: allowed',
    method: 'GET',
    target: '/health',
    expect: allowed('/health'),
  },
  {
    name: 'public route with a valid token: allowed, with a principal',
    method: 'GET',
    target: '/health',
    token: { scope: 'profile' },
    headers: BEARER,
    expect: allowed('/health'),
  },
  {
    name: 'design §8.2 public route with an invalid token: refused, never let through',
    method: 'GET',
    target: '/health',
    token: { expiredSecondsAgo: 600 },
    headers: BEARER,
    expect: refused(401, 'ERR_TOKEN_EXPIRED', '/health'),
  },
  {
    name: 'public route with malformed credentials: 400',
    method: 'GET',
    target: '/health',
    headers: [['authorization', 'Bearer ###']],
    expect: refused(400, 'ERR_MALFORMED_CREDENTIALS', '/health'),
  },
  {
    name: 'public route under the /api prefix',
    method: 'GET',
    target: '/api/status',
    expect: allowed('/api/status'),
  },
  {
    name: 'decorated handler (@requireScopes) without its scope: 403',
    method: 'DELETE',
    target: '/api/orders/42',
    token: read,
    headers: BEARER,
    expect: refused(403, 'ERR_INSUFFICIENT_SCOPE', '/api/orders/:id', 'orders:admin'),
  },
  {
    name: 'decorated handler (@requireScopes) with its scope: allowed',
    method: 'DELETE',
    target: '/api/orders/42',
    token: { scope: 'orders:admin' },
    headers: BEARER,
    expect: allowed('/api/orders/:id'),
  },
  {
    name: 'B-5 / #31 a query token is not read by default: 401 without error',
    method: 'GET',
    target: '/api/orders?access_token={token}',
    token: read,
    expect: refused(401, 'ERR_NO_CREDENTIALS', '/api/orders'),
  },
  {
    name: 'K-6 key endpoint down: fail closed with 503, no challenge',
    method: 'GET',
    target: '/api/orders',
    token: { ...read, issuer: 'remote' },
    headers: BEARER,
    expect: refused(503, 'ERR_KEYS_UNAVAILABLE', '/api/orders'),
  },
  {
    name: 'unmatched route without credentials: 401 like any route (a missing route cannot be told apart)',
    method: 'GET',
    target: '/api/nothing-here',
    needs: ['routing'],
    expect: refused(401, 'ERR_NO_CREDENTIALS', undefined),
  },
  {
    name: 'unmatched route with an invalid token: 401 invalid_token, nothing is let through',
    method: 'GET',
    target: '/api/nothing-here',
    token: { forged: true },
    headers: BEARER,
    needs: ['routing'],
    expect: refused(401, 'ERR_SIGNATURE_INVALID', undefined),
  },
];
