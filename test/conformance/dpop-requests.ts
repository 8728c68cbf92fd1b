/**
 * Turns a case's proof recipe into the request a target receives: a DPoP proof in place of `{proof}`,
 * made per target (each target has its own guard and replay store), after a first request where the
 * recipe asks for one — the same proof once before (replay), or a request without nonce whose answer
 * supplies the `DPoP-Nonce` (RFC 9449 §9).
 */
import { createDpopProof } from '@nevertrust/testkit';
import { expect } from 'vitest';
import type { ConformanceCase } from './api.js';
import { DPOP_CLIENT, DPOP_ORIGIN, DPOP_STRANGER } from './dpop-profile.js';
import type { Fixture } from './fixture.js';
import type { Target } from './targets.js';
import type { WireRequest } from './transport.js';

function withProof(request: WireRequest, proof: string): WireRequest {
  return {
    ...request,
    headers: request.headers.map(([name, value]) => [name, value.replaceAll('{proof}', proof)] as const),
  };
}

/**
 * The request of `testCase` for `target`, with its proof; `request` has `{token}` filled in already.
 *
 * @example
 * ```ts
 * const sent = await dpopRequest(testCase, token, request, target, String(index), fixture);
 * ```
 */
export async function dpopRequest(
  testCase: ConformanceCase,
  token: string | undefined,
  request: WireRequest,
  target: Target,
  caseId: string,
  fixture: Fixture,
): Promise<WireRequest> {
  const recipe = testCase.proof;
  if (!recipe || token === undefined) return request;
  const path = (recipe.htuPath ?? testCase.target).split('?')[0] ?? '/';
  const proofOf = (nonce?: string) =>
    createDpopProof({
      key: recipe.otherKey ? DPOP_STRANGER : DPOP_CLIENT,
      htm: recipe.htm ?? testCase.method,
      htu: `${DPOP_ORIGIN}${path}`,
      accessToken: recipe.otherToken ? fixture.mint({ scope: 'orders:read', dpopBound: true }) : token,
      ...(nonce ? { nonce } : {}),
    });
  let nonce: string | undefined;
  if (recipe.nonceFromServer) {
    const first = await target.run(withProof(request, proofOf()), `${caseId}-nonce`);
    expect(first.response.status, `${target.name}: the request without nonce`).toBe(401);
    nonce = first.response.headers['dpop-nonce']?.[0];
    expect(nonce, `${target.name}: DPoP-Nonce of the use_dpop_nonce answer`).toMatch(/^[A-Za-z0-9_-]+$/);
  }
  const sent = withProof(request, proofOf(nonce));
  if (recipe.replayed) {
    const first = await target.run(sent, `${caseId}-first`);
    expect(first.response.status, `${target.name}: the proof's first use`).toBe(200);
  }
  return sent;
}
