/**
 * Conformance cases of store faults: a revocation store or a rate-limit counter store that fails or hangs
 * refuses the request with 503, `Retry-After`, the store's own code and no challenge, before any handler
 * runs, on every target — never a 500 and never an allow. The stores are those of `store-profile.ts`.
 */
import { ERROR_TABLE } from '@nevertrust/core';
import type { ConformanceCase } from './api.js';
import { STORE_SUBJECTS } from './store-profile.js';

const BEARER: readonly (readonly [string, string])[] = [['authorization', 'Bearer {token}']];

function unavailable(
  name: string,
  subject: string,
  code: 'ERR_REVOCATION_UNAVAILABLE' | 'ERR_LIMITS_UNAVAILABLE',
): ConformanceCase {
  return {
    name,
    profile: 'store-faults',
    method: 'GET',
    target: '/api/orders',
    token: { scope: 'orders:read', claims: { sub: subject } },
    headers: BEARER,
    expect: {
      status: 503,
      challenge: null,
      bodyError: ERROR_TABLE[code].bodyError ?? null,
      handlerRan: false,
      audit: { outcome: 'deny', reason: code, route: '/api/orders' },
      headers: { 'retry-after': '5' },
    },
  };
}

export const STORE_CASES: readonly ConformanceCase[] = [
  {
    name: 'store faults: with every store answering, a valid token passes',
    profile: 'store-faults',
    method: 'GET',
    target: '/api/orders',
    token: { scope: 'orders:read', claims: { sub: 'healthy-user' } },
    headers: BEARER,
    expect: {
      status: 200,
      challenge: null,
      bodyError: null,
      handlerRan: true,
      audit: { outcome: 'allow', reason: 'OK', route: '/api/orders' },
    },
  },
  unavailable(
    'A10 store faults: a failing revocation store is 503 ERR_REVOCATION_UNAVAILABLE with Retry-After',
    STORE_SUBJECTS.revocationDown,
    'ERR_REVOCATION_UNAVAILABLE',
  ),
  unavailable(
    'A10 store faults: a hanging revocation store is 503 ERR_REVOCATION_UNAVAILABLE once its timeout passes',
    STORE_SUBJECTS.revocationHangs,
    'ERR_REVOCATION_UNAVAILABLE',
  ),
  unavailable(
    'store faults: a failing rate-limit counter store is 503 ERR_LIMITS_UNAVAILABLE, never 500',
    STORE_SUBJECTS.countersDown,
    'ERR_LIMITS_UNAVAILABLE',
  ),
  unavailable(
    'store faults: a hanging rate-limit counter store is 503 ERR_LIMITS_UNAVAILABLE once its timeout passes',
    STORE_SUBJECTS.countersHang,
    'ERR_LIMITS_UNAVAILABLE',
  ),
];
