import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { b64url, generateTestKey, type TestKey } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, startRig, tokenFor } from '../fixtures/remote-rig.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** An RSA test key with the given size and public exponent (which jose itself would accept). */
function rsaKey(kid: string, modulusLength: number, publicExponent: number): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength, publicExponent });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { alg: 'RS256', kid, privateKey, publicKey, jwk };
}

function withJwk(key: TestKey, jwk: Record<string, unknown>): TestKey {
  return { ...key, jwk };
}

describe('only public signature keys from a JWKS are ever used', () => {
  it('K-3, K-7, K-8, K-9: unusable members are skipped, the usable ones verify', async () => {
    const good = generateTestKey('ES256', 'good');
    const goodRsa = rsaKey('good-rsa', 2048, 65537);
    const encKey = generateTestKey('ES256', 'enc');
    const cases: TestKey[] = [
      withJwk(encKey, { ...encKey.jwk, use: 'enc' }), // K-3
      ...(['encrypt', 'sign'] as const).map((op) => {
        const key = generateTestKey('ES256', `ops-${op}`);
        return withJwk(key, { ...key.jwk, key_ops: [op] }); // K-7
      }),
      (() => {
        const key = generateTestKey('ES256', 'ops-string');
        return withJwk(key, { ...key.jwk, key_ops: 'verify' }); // K-7: not an array
      })(),
      (() => {
        const key = generateTestKey('ES256', 'private');
        return withJwk(key, { ...key.privateKey.export({ format: 'jwk' }), kid: 'private', alg: 'ES256' }); // K-8
      })(),
      rsaKey('e3', 2048, 3), // K-9
      rsaKey('short', 1024, 65537), // K-9
    ];
    const verifyOnly = generateTestKey('ES256', 'ops-verify');
    const published = [
      good.jwk,
      goodRsa.jwk,
      { ...verifyOnly.jwk, key_ops: ['verify'] },
      ...cases.map((key) => key.jwk),
      { kty: 'oct', k: b64url(randomBytes(32)), kid: 'oct', alg: 'HS256' }, // K-8
    ];
    const rig = await startRig(cleanup, { published });
    await rig.guard.ready();
    expect(rig.reports[0]?.keyCount).toBe(3);

    for (const key of [good, goodRsa, verifyOnly]) {
      expect((await rig.evaluate(tokenFor(key, rig.issuer, rig.clock.now()))).outcome).toBe('allow');
    }
    for (const key of cases) {
      const decision = await rig.evaluate(tokenFor(key, rig.issuer, rig.clock.now()));
      expect(decision.outcome === 'deny' && decision.code, key.kid).toBe('ERR_KEY_NOT_FOUND');
    }
  });

  it('K-8: an HS256 token naming an oct key of the set is refused', async () => {
    const secret = randomBytes(32);
    const oct = { kty: 'oct', k: b64url(secret), kid: 'oct', alg: 'HS256' };
    const rig = await startRig(cleanup, { published: [generateTestKey('ES256').jwk, oct] });
    const token = rig.mint({ header: { alg: 'HS256', kid: 'oct' }, signWith: secret, lifetime: 60 });
    const decision = await rig.evaluate(token);
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('K-8/#25: a set of only private or symmetric keys is a failed fetch → 503', async () => {
    const key = generateTestKey('ES256', 'private');
    const rig = await startRig(cleanup, {
      published: [
        { ...key.privateKey.export({ format: 'jwk' }), kid: 'private', alg: 'ES256' },
        { kty: 'oct', k: b64url(randomBytes(32)), kid: 'oct' },
      ],
    });
    const decision = await rig.evaluate(tokenFor(key, rig.issuer, rig.clock.now()));
    expect(decision.outcome === 'deny' && decision.status).toBe(503);
    expect(rig.reports[0]).toMatchObject({ ok: false, keyCount: 0 });
  });

  it('a JWK whose alg is not allowed for the issuer is skipped (pinned algorithms)', async () => {
    const rsa = rsaKey('rsa', 2048, 65537);
    const ec = generateTestKey('ES256', 'ec');
    const rig = await startRig(cleanup, { published: [rsa.jwk, ec.jwk], issuer: { algorithms: ['ES256'] } });
    await rig.guard.ready();
    expect(rig.reports[0]?.keyCount).toBe(1);
    const decision = await rig.evaluate(tokenFor(rsa, rig.issuer, rig.clock.now()));
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_ALGORITHM_NOT_ALLOWED');
    expect((await rig.evaluate(tokenFor(ec, rig.issuer, rig.clock.now()))).outcome).toBe('allow');
  });

  it('#25: a set with more than keyFetch.maxKeys members is refused as a whole', async () => {
    const keys = Array.from({ length: 4 }, (_, index) => generateTestKey('ES256', `k${index}`));
    const rig = await startRig(cleanup, { published: keys.map((key) => key.jwk), keyFetch: { maxKeys: 3 } });
    await expect(rig.guard.ready()).rejects.toThrow(/more than 3 keys/);
    rig.server.setKeys(keys.slice(0, 3).map((key) => key.jwk));
    rig.clock.advance(5000);
    await rig.guard.ready();
    expect((await rig.evaluate(tokenFor(keys[0] as TestKey, rig.issuer, rig.clock.now()))).outcome).toBe(
      'allow',
    );
  });
});
