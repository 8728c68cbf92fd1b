/**
 * The micro case of a DPoP request (RFC 9449): `evaluate` with a DPoP-bound token the guard has already
 * verified and cached, and a proof it has never seen — on every call the proof's parsing, signature,
 * claims, `htm`/`htu`, `ath`, the `cnf.jkt` thumbprint and the in-process replay store. Proofs are signed
 * before any timed loop, one per call (a repeated proof is a replay and is refused), so the case measures
 * the API's side only. The report sets it next to the Bearer cache hit of the same round.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createGuard, type Decision, type RequestFacts } from '@nevertrust/core';
import { createDpopProof, dpopThumbprint, generateTestKey, type TestKey } from '@nevertrust/testkit';
import type { Identity } from './fixtures.js';
import type { MicroCase } from './sampler.js';

/** The API origin the proofs name in `htu` (the guard's `dpop.origin`). */
const ORIGIN = 'https://api.bench.test';
const TARGET = '/orders';

/** A DPoP key and a token bound to it, made in the parent with the other tokens. */
export interface DpopFixture {
  /** An access token with `cnf.jkt` of the key. */
  readonly token: string;
  /** The private JWK of the client's ES256 DPoP key (a throwaway benchmark key). */
  readonly privateJwk: Record<string, unknown>;
}

/**
 * Generates a DPoP key and mints a token bound to it.
 *
 * @example
 * ```ts
 * const dpop = await createDpopFixture((claims) => mint({ lifetime: 7200, claims }));
 * ```
 */
export async function createDpopFixture(
  mint: (claims: Record<string, unknown>) => string,
): Promise<DpopFixture> {
  const key = generateTestKey('ES256', 'bench-dpop');
  const token = mint({ scope: 'orders:read orders:write', cnf: { jkt: await dpopThumbprint(key) } });
  return { token, privateJwk: key.privateKey.export({ format: 'jwk' }) as Record<string, unknown> };
}

function clientKey(privateJwk: Record<string, unknown>): TestKey {
  const privateKey = createPrivateKey({ key: privateJwk as never, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  // The proofs' header carries this public JWK (the test kit exports it once, with the key).
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { alg: 'ES256', kid: 'bench-dpop', privateKey, publicKey, jwk };
}

function facts(token: string, proof: string): RequestFacts {
  return {
    method: 'GET',
    target: TARGET,
    headers: { authorization: [`DPoP ${token}`], dpop: [proof], host: ['127.0.0.1'] },
    remoteAddress: '127.0.0.1',
  };
}

/**
 * The DPoP case: `count` proofs signed up front, a guard whose token cache already holds the token, and a
 * second guard (its own replay store) that the warm-up runs the same proofs through.
 *
 * @example
 * ```ts
 * const { case: dpop, close } = await dpopCase('nevertrust evaluate, DPoP', identity, fixture, 4000);
 * ```
 */
export async function dpopCase(
  name: string,
  identity: Identity,
  fixture: DpopFixture,
  count: number,
): Promise<{ case: MicroCase; close: () => Promise<void> }> {
  const { issuer, audience, jwksUri } = identity;
  const key = clientKey(fixture.privateJwk);
  const options = { issuers: [{ issuer, audience, jwksUri }], dpop: { origin: ORIGIN } };
  const measured = createGuard(options);
  const warm = createGuard(options);
  await Promise.all([measured.ready(), warm.ready()]);
  const htu = `${ORIGIN}${TARGET}`;
  const prove = () => createDpopProof({ key, htm: 'GET', htu, accessToken: fixture.token });
  // The measured calls find the token cached, as a client's later requests do (admitted on its second use).
  for (let i = 0; i < 3; i++) {
    const primed = await measured.evaluate(facts(fixture.token, prove()));
    if (primed.outcome !== 'allow') throw new Error(`the DPoP case is refused: ${primed.code}`);
  }
  const proofs = Array.from({ length: count }, prove);
  return {
    case: {
      name,
      async: true,
      ok: (result) => (result as Decision).outcome === 'allow',
      budget: proofs.length,
      run: (index) => measured.evaluate(facts(fixture.token, proofs[index] as string)),
      warmUp: (index) => warm.evaluate(facts(fixture.token, proofs[index] as string)),
    },
    close: async () => void (await Promise.all([measured.close(), warm.close()])),
  };
}
