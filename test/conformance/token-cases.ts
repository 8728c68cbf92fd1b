/**
 * Conformance cases of token correctness: sender-constrained tokens presented as Bearer tokens (RFC 9449
 * §7.2, RFC 8705 §3), blank identifier claims (RFC 9068 §2.2) and an HMAC issuer whose tokens carry a
 * `kid` (RFC 7515 §4.1.4). Run like every other case on the core and on each adapter.
 */
import type { ConformanceCase } from './api.js';
import { allowed, refused } from './cases.js';

const BEARER: readonly (readonly [string, string])[] = [['authorization', 'Bearer {token}']];
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const X5T = 'A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0';

export const TOKEN_CASES: readonly ConformanceCase[] = [
  {
    name: 'D-15 a DPoP-bound token (cnf.jkt) presented as Bearer: 401 invalid_token, never downgraded',
    method: 'GET',
    target: '/api/orders',
    token: { scope: 'orders:read', claims: { cnf: { jkt: JKT } } },
    headers: BEARER,
    expect: refused(401, 'ERR_TOKEN_BOUND', '/api/orders'),
  },
  {
    name: 'M-2 a certificate-bound token (cnf x5t#S256) presented as Bearer: 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { scope: 'orders:read', claims: { cnf: { 'x5t#S256': X5T } } },
    headers: BEARER,
    expect: refused(401, 'ERR_TOKEN_BOUND', '/api/orders'),
  },
  {
    name: 'AT-3 an empty sub is an invalid claim: 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { scope: 'orders:read', claims: { sub: '' } },
    headers: BEARER,
    expect: refused(401, 'ERR_CLAIM_INVALID', '/api/orders'),
  },
  {
    name: 'AT-3 a whitespace-only jti is an invalid claim: 401 invalid_token',
    method: 'GET',
    target: '/api/orders',
    token: { scope: 'orders:read', claims: { jti: '   ' } },
    headers: BEARER,
    expect: refused(401, 'ERR_CLAIM_INVALID', '/api/orders'),
  },
  {
    name: 'J-5 an HMAC issuer: a token naming its configured kid is verified with the secret',
    method: 'GET',
    target: '/api/orders',
    token: { issuer: 'hmac', scope: 'orders:read' },
    headers: BEARER,
    expect: allowed('/api/orders'),
  },
  {
    name: 'J-5 an HMAC issuer: a token naming another kid is refused (ERR_KEY_NOT_FOUND)',
    method: 'GET',
    target: '/api/orders',
    token: { issuer: 'hmac', scope: 'orders:read', header: { kid: 'hmac-retired' } },
    headers: BEARER,
    expect: refused(401, 'ERR_KEY_NOT_FOUND', '/api/orders'),
  },
];
