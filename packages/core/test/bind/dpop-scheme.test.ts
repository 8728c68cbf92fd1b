/**
 * The DPoP scheme at the resource server (RFC 9449 §7, §11.1; checklist D-10, D-14…D-17, attack #40):
 * which credentials go with which scheme, challenges of both schemes, replay of a proof, and proofs
 * checked on every request however the token's verification was obtained.
 */
import { parseChallenges } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { expectAllow, expectDeny, harness, testKey } from '../support.js';
import { dpopHarness } from './dpop-support.js';

const ALGS = 'ES256 PS256 RS256 EdDSA';

describe('RFC 9449 §7: the DPoP scheme', () => {
  it('§7.2: no credentials, both schemes accepted → `Bearer, DPoP algs="…"`, no error, no-store', async () => {
    const h = await dpopHarness();
    const denied = expectDeny(
      await h.guard.evaluate({ method: 'GET', target: '/orders', headers: {} }),
      'ERR_NO_CREDENTIALS',
      401,
    );
    expect(denied.headers['www-authenticate']).toBe(`Bearer, DPoP algs="${ALGS}"`);
    expect(denied.headers['cache-control']).toBe('no-store');
  });

  it('without the dpop option the DPoP scheme is no credential, and no DPoP challenge is sent', async () => {
    const h = harness();
    const facts = {
      method: 'GET',
      target: '/orders',
      headers: { authorization: [`DPoP ${h.mint()}`], dpop: ['x.y.z'] },
    };
    const denied = expectDeny(await h.guard.evaluate(facts), 'ERR_NO_CREDENTIALS', 401);
    expect(denied.headers['www-authenticate']).toBe('Bearer');
  });

  it('the advertised algs follow the configured allow-list', async () => {
    const h = await dpopHarness({ algorithms: ['ES256', 'EdDSA'] });
    const denied = await h.guard.evaluate({ method: 'GET', target: '/orders', headers: {} });
    expect(
      parseChallenges(denied.outcome === 'deny' ? (denied.headers['www-authenticate'] ?? '') : ''),
    ).toEqual([
      { scheme: 'Bearer', params: {} },
      { scheme: 'DPoP', params: { algs: 'ES256 EdDSA' } },
    ]);
  });

  it('D-14: the DPoP scheme without a DPoP header → 401 invalid_dpop_proof on the DPoP challenge', async () => {
    const h = await dpopHarness();
    const denied = expectDeny(await h.call(h.mintBound(), []), 'ERR_DPOP_PROOF_MISSING', 401);
    expect(denied.headers['www-authenticate']).toBe(
      `Bearer, DPoP error="invalid_dpop_proof", error_description="A DPoP proof is required", algs="${ALGS}"`,
    );
  });

  it('D-14: "DPoP" followed by something that is no token68 → 400 invalid_request', async () => {
    const h = await dpopHarness();
    const facts = {
      method: 'GET',
      target: '/orders',
      headers: { authorization: ['DPoP a b'], dpop: [h.proof()] },
    };
    expectDeny(await h.guard.evaluate(facts), 'ERR_MALFORMED_CREDENTIALS', 400);
  });

  it('D-15: a DPoP-bound token presented as Bearer → 401, even with a valid proof beside it (D-17: 400)', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    expectDeny(await h.evaluateToken(token), 'ERR_TOKEN_BOUND', 401);
    const facts = {
      method: 'GET',
      target: '/orders',
      headers: { authorization: [`Bearer ${token}`], dpop: [h.proof({ accessToken: token })] },
    };
    expectDeny(await h.guard.evaluate(facts), 'ERR_DPOP_WITH_BEARER', 400);
  });

  it('D-16: the DPoP scheme with a token bound to no key → 401 invalid_token on the DPoP challenge', async () => {
    const h = await dpopHarness();
    const token = h.mint();
    const denied = expectDeny(
      await h.call(token, h.proof({ accessToken: token })),
      'ERR_DPOP_TOKEN_NOT_BOUND',
      401,
    );
    const [bearer, dpop] = parseChallenges(denied.headers['www-authenticate'] ?? '');
    expect(bearer).toEqual({ scheme: 'Bearer', params: {} });
    expect(dpop?.params).toMatchObject({ error: 'invalid_token', algs: ALGS });
  });

  it('D-16: the DPoP scheme with a certificate-bound token → 401 ERR_DPOP_TOKEN_NOT_BOUND', async () => {
    const h = await dpopHarness();
    const token = h.mint({ claims: { cnf: { 'x5t#S256': 'A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0' } } });
    expectDeny(await h.call(token, h.proof({ accessToken: token })), 'ERR_DPOP_TOKEN_NOT_BOUND');
  });

  it('D-17: a DPoP header with a plain Bearer token → 400 invalid_request', async () => {
    const h = await dpopHarness();
    const token = h.mint();
    const facts = {
      method: 'GET',
      target: '/orders',
      headers: { authorization: [`Bearer ${token}`], dpop: [h.proof()] },
    };
    const denied = expectDeny(await h.guard.evaluate(facts), 'ERR_DPOP_WITH_BEARER', 400);
    expect(denied.body.error).toBe('invalid_request');
  });

  it('a plain Bearer token still passes with DPoP accepted, and its allow carries no header', async () => {
    const h = await dpopHarness();
    const allowed = expectAllow(await h.evaluateToken(h.mint()));
    expect(allowed.headers).toEqual({});
    expect(allowed.principal?.binding).toEqual({ type: 'none' });
  });

  it('403 insufficient_scope on a DPoP request: the DPoP challenge carries error and scope', async () => {
    const h = await dpopHarness();
    const { requireScopes } = await import('../../src/index.js');
    const token = h.mintBound();
    const denied = expectDeny(
      await h.call(token, h.proof({ accessToken: token }), {}, requireScopes('orders:admin')),
      'ERR_INSUFFICIENT_SCOPE',
      403,
    );
    const [bearer, dpop] = parseChallenges(denied.headers['www-authenticate'] ?? '');
    expect(bearer?.params).toEqual({});
    expect(dpop?.params).toMatchObject({ error: 'insufficient_scope', scope: 'orders:admin' });
  });
});

describe('RFC 9449 §11.1: replay', () => {
  it('the same proof twice → the second is refused (401 invalid_dpop_proof)', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const proof = h.proof({ accessToken: token });
    expectAllow(await h.call(token, proof));
    const denied = expectDeny(await h.call(token, proof), 'ERR_DPOP_PROOF_REPLAYED', 401);
    expect(denied.body.error).toBe('invalid_dpop_proof');
  });

  it('a cache hit never skips the proof: a replay on a cached token is refused, a fresh proof passes', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    for (let round = 0; round < 3; round++) expectAllow(await h.call(token, h.proof({ accessToken: token })));
    const proof = h.proof({ accessToken: token });
    expectAllow(await h.call(token, proof));
    expectDeny(await h.call(token, proof), 'ERR_DPOP_PROOF_REPLAYED');
    expectDeny(await h.call(token, h.proof({ accessToken: token, htm: 'POST' })), 'ERR_DPOP_PROOF_INVALID');
    expectDeny(await h.call(token, []), 'ERR_DPOP_PROOF_MISSING');
    // The last three verifications came from the cache (a missing proof is refused before any lookup).
    expect(h.events.slice(-4).map((event) => event.cacheHit)).toEqual([true, true, true, false]);
  });

  it('two clients choosing the same jti do not collide (the entry is keyed by key and jti)', async () => {
    const h = await dpopHarness();
    const { dpopThumbprint } = await import('@nevertrust/testkit');
    const other = testKey('ES256', 'dpop-second-client');
    const first = h.mintBound();
    const second = h.mint({ claims: { cnf: { jkt: await dpopThumbprint(other) } } });
    expectAllow(await h.call(first, h.proof({ accessToken: first, jti: 'same' })));
    expectAllow(await h.call(second, h.proof({ key: other, accessToken: second, jti: 'same' })));
  });

  it('an unnecessarily large jti (10 kB) is refused before it reaches the store', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const denied = await h.call(token, h.proof({ accessToken: token, jti: 'j'.repeat(10_000) }));
    expectDeny(denied, 'ERR_DPOP_PROOF_INVALID');
  });

  it('a proof is remembered for its whole iat window, then forgotten with it', async () => {
    const h = await dpopHarness({ maxAgeSeconds: 60 });
    const token = h.mintBound({ exp: Math.floor(h.clock.seconds) + 600 });
    const proof = h.proof({ accessToken: token });
    expectAllow(await h.call(token, proof));
    h.clock.seconds += 60;
    expectDeny(await h.call(token, proof), 'ERR_DPOP_PROOF_REPLAYED');
    h.clock.seconds += 1;
    // Too old by now: refused for its age, not let through because its replay entry expired.
    expectDeny(await h.call(token, proof), 'ERR_DPOP_PROOF_INVALID');
  });
});

describe('a refused presentation yields no principal (attack #40)', () => {
  it('the refusal names the issuer, not the subject, and a stolen bound token is not suspended for its thief', async () => {
    const h = await dpopHarness(
      {},
      { guard: { detectors: { tokenSpread: { threshold: 2, windowSeconds: 300, blockSeconds: 600 } } } },
    );
    const token = h.mintBound();
    const thief = testKey('ES256', 'thief');
    for (const peer of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
      const forged = h.proof({ accessToken: token, signWith: thief.privateKey });
      const facts = {
        method: 'GET',
        target: '/orders',
        remoteAddress: peer,
        headers: { authorization: [`DPoP ${token}`], dpop: [forged] },
      };
      expectDeny(await h.guard.evaluate(facts), 'ERR_DPOP_PROOF_INVALID');
    }
    expect(h.events.at(-1)).toMatchObject({
      issuer: 'https://idp.test/',
      subject: undefined,
      tokenId: undefined,
    });
    // The rightful client, from its own address, is not locked out by what the thief did.
    expectAllow(await h.call(token, h.proof({ accessToken: token })));
  });

  it('use_dpop_nonce round trips are not counted as authentication failures', async () => {
    const h = await dpopHarness(
      { nonce: { secrets: ['a nonce secret of at least thirty-two bytes'] } },
      { guard: { detectors: { authFailureBurst: { threshold: 2, windowSeconds: 300, blockSeconds: 600 } } } },
    );
    for (let round = 0; round < 4; round++) {
      const token = h.mintBound();
      const refused = expectDeny(
        await h.call(token, h.proof({ accessToken: token })),
        'ERR_DPOP_NONCE_REQUIRED',
      );
      const nonce = refused.headers['dpop-nonce'];
      expectAllow(await h.call(token, h.proof({ accessToken: token, nonce })));
    }
  });
});
