/**
 * Conformance cases of DPoP (RFC 9449; checklist D-1, D-8, D-9, D-10, D-12…D-17, attack #40), on the
 * `dpop` and `dpop-nonce` profiles: a DPoP-bound token with its proof passes; the same token as Bearer, a
 * replayed proof, a proof for another URI or method, for another token or by another key are refused
 * before any handler runs; a server nonce round trip. Both challenges are asserted exactly.
 */
import { ERROR_TABLE, type ErrorCode } from '@nevertrust/core';
import type { ConformanceCase } from './api.js';
import { allowed } from './cases.js';
import { REALM } from './fixture.js';

const ALGS = 'ES256 PS256 RS256 EdDSA';
const DPOP: readonly (readonly [string, string])[] = [
  ['authorization', 'DPoP {token}'],
  ['dpop', '{proof}'],
];
const ROUTE = '/api/orders';
const bound = { scope: 'orders:read', dpopBound: true } as const;

/**
 * A refusal with both challenges: the error information on the challenge of `on` (the scheme the request
 * used; `both` when that is unknown), `realm` on both, `algs` on the DPoP one.
 */
function refused(
  status: number,
  code: Exclude<ErrorCode, 'ERR_CONFIG'>,
  on: 'bearer' | 'dpop' | 'both' | 'none',
): ConformanceCase['expect'] {
  const spec = ERROR_TABLE[code];
  const failure = spec.error ? { error: spec.error, error_description: spec.description } : {};
  const realm = { realm: REALM };
  return {
    status,
    challenge: on === 'bearer' || on === 'both' ? { ...realm, ...failure } : realm,
    dpopChallenge: { ...realm, ...(on === 'dpop' || on === 'both' ? failure : {}), algs: ALGS },
    bodyError: spec.error ?? spec.bodyError ?? 'unauthorized',
    handlerRan: false,
    audit: { outcome: 'deny', reason: code, route: ROUTE },
  };
}

function dpopCase(
  name: string,
  rest: Omit<ConformanceCase, 'name' | 'method' | 'target' | 'profile'>,
): ConformanceCase {
  return { name, profile: 'dpop', method: 'GET', target: ROUTE, ...rest };
}

export const DPOP_CASES: readonly ConformanceCase[] = [
  dpopCase('D-14 a DPoP-bound token with a valid proof passes', {
    token: bound,
    proof: {},
    headers: DPOP,
    expect: allowed(ROUTE),
  }),
  dpopCase('§7.2 no credentials with DPoP accepted: `Bearer` and `DPoP algs` challenges, no error', {
    expect: refused(401, 'ERR_NO_CREDENTIALS', 'none'),
  }),
  dpopCase('D-15 / #40 the DPoP-bound token as Bearer: 401 invalid_token on the Bearer challenge', {
    token: bound,
    headers: [['authorization', 'Bearer {token}']],
    expect: refused(401, 'ERR_TOKEN_BOUND', 'bearer'),
  }),
  dpopCase('§11.1 / #40 a replayed proof: 401 invalid_dpop_proof', {
    token: bound,
    proof: { replayed: true },
    headers: DPOP,
    expect: refused(401, 'ERR_DPOP_PROOF_REPLAYED', 'dpop'),
  }),
  dpopCase('D-9 / #40 a proof for another URI (htu): 401 invalid_dpop_proof', {
    token: bound,
    proof: { htuPath: '/api/reports' },
    headers: DPOP,
    expect: refused(401, 'ERR_DPOP_PROOF_INVALID', 'dpop'),
  }),
  dpopCase('D-8 / #40 a proof for another method (htm POST on GET): 401 invalid_dpop_proof', {
    token: bound,
    proof: { htm: 'POST' },
    headers: DPOP,
    expect: refused(401, 'ERR_DPOP_PROOF_INVALID', 'dpop'),
  }),
  dpopCase('D-12 / #40 a proof made for another access token (ath): 401 invalid_dpop_proof', {
    token: bound,
    proof: { otherToken: true },
    headers: DPOP,
    expect: refused(401, 'ERR_DPOP_PROOF_INVALID', 'dpop'),
  }),
  dpopCase('D-13 / #40 a proof by another key than the token is bound to: 401 invalid_token', {
    token: bound,
    proof: { otherKey: true },
    headers: DPOP,
    expect: refused(401, 'ERR_DPOP_BINDING_MISMATCH', 'dpop'),
  }),
  dpopCase('D-1 two DPoP headers: 401 invalid_dpop_proof', {
    token: bound,
    proof: {},
    headers: [...DPOP, ['dpop', '{proof}']],
    expect: refused(401, 'ERR_DPOP_PROOF_INVALID', 'dpop'),
  }),
  dpopCase('D-14 the DPoP scheme without a proof: 401 invalid_dpop_proof', {
    token: bound,
    headers: [['authorization', 'DPoP {token}']],
    expect: refused(401, 'ERR_DPOP_PROOF_MISSING', 'dpop'),
  }),
  dpopCase('D-16 the DPoP scheme with a token bound to no key: 401 invalid_token', {
    token: { scope: 'orders:read' },
    proof: {},
    headers: DPOP,
    expect: refused(401, 'ERR_DPOP_TOKEN_NOT_BOUND', 'dpop'),
  }),
  dpopCase('D-17 a DPoP header with a Bearer token: 400 invalid_request', {
    token: { scope: 'orders:read' },
    proof: {},
    headers: [
      ['authorization', 'Bearer {token}'],
      ['dpop', '{proof}'],
    ],
    expect: refused(400, 'ERR_DPOP_WITH_BEARER', 'both'),
  }),
  {
    name: 'D-10 a proof without nonce: 401 use_dpop_nonce with a fresh DPoP-Nonce',
    profile: 'dpop-nonce',
    method: 'GET',
    target: ROUTE,
    token: bound,
    proof: {},
    headers: DPOP,
    expect: {
      ...refused(401, 'ERR_DPOP_NONCE_REQUIRED', 'dpop'),
      headerPatterns: { 'dpop-nonce': /^[A-Za-z0-9_-]{39}$/ },
    },
  },
  {
    name: 'D-10 the retry with the server nonce passes',
    profile: 'dpop-nonce',
    method: 'GET',
    target: ROUTE,
    token: bound,
    proof: { nonceFromServer: true },
    headers: DPOP,
    expect: allowed(ROUTE),
  },
];
