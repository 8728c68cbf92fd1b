/**
 * The NestJS reference rows answer like the other reference rows: the handler for a valid token, 401 for
 * a missing, forged or other-issuer token — so the fresh-token target's floor on Nest measures a verifier
 * that verifies. Real Nest servers on 127.0.0.1, the benchmark's own keys and tokens.
 */
import { createTokenIssuer, generateTestKey } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNest } from '../src/apps/nest.js';
import { BODY, VARIANTS } from '../src/apps/types.js';
import { createFixtures, type Fixtures } from '../src/fixtures.js';

let fixtures: Fixtures;

beforeAll(async () => {
  fixtures = await createFixtures({ poolTokens: 1, freshTokens: 1 });
});

afterAll(async () => {
  await fixtures.close();
});

describe.each(['nest-express', 'nest-fastify'] as const)('%s reference variant', (framework) => {
  it('is a measured variant, and lets only a valid token reach the handler', async () => {
    expect(VARIANTS[framework]).toContain('reference');
    const { identity, jwks, tokens } = fixtures;
    const app = await startNest({ framework, variant: 'reference', alg: 'ES256', identity, jwk: jwks.ES256 });
    try {
      const get = (authorization?: string) =>
        fetch(`http://127.0.0.1:${app.port}/orders`, {
          headers: authorization === undefined ? {} : { authorization },
        });
      const allowed = await get(`Bearer ${tokens.ES256.same}`);
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual(BODY);
      // A token of another key (same kid, same claims) and one of another issuer.
      const forger = createTokenIssuer({
        issuer: identity.issuer,
        audience: identity.audience,
        key: generateTestKey('ES256', 'bench-es256'),
      });
      const stranger = createTokenIssuer({
        issuer: 'https://stranger.test/',
        audience: identity.audience,
        key: generateTestKey('ES256', 'bench-es256'),
      });
      for (const authorization of [
        undefined,
        `Bearer ${forger({ lifetime: 60 })}`,
        `Bearer ${stranger({ lifetime: 60 })}`,
      ]) {
        const refused = await get(authorization);
        expect(refused.status, String(authorization)).toBe(401);
        expect(await refused.json()).toEqual({ error: 'invalid_token' });
      }
    } finally {
      await app.close();
    }
  }, 30_000);
});
