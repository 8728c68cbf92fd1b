/**
 * Server nonces (RFC 9449 §8, §9; checklist D-10): a proof without a valid nonce gets 401
 * `use_dpop_nonce` with a fresh `DPoP-Nonce`; nonces are stateless (another guard with the same secret
 * accepts them), rotate with time, are never accepted after their lifetime, and a fresh one rides on a
 * success before the current one expires.
 */
import { describe, expect, it } from 'vitest';
import { createNonceAuthority } from '../../src/bind/dpop-nonce.js';
import { expectAllow, expectDeny } from '../support.js';
import { dpopHarness } from './dpop-support.js';

const SECRET = 'a nonce secret of at least thirty-two bytes';
const OTHER = 'another nonce secret, also thirty-two bytes long';

describe('D-10: server nonces', () => {
  it('a proof without nonce → 401 use_dpop_nonce with DPoP-Nonce; the retry with it passes', async () => {
    const h = await dpopHarness({ nonce: { secrets: [SECRET] } });
    const token = h.mintBound();
    const denied = expectDeny(
      await h.call(token, h.proof({ accessToken: token })),
      'ERR_DPOP_NONCE_REQUIRED',
      401,
    );
    expect(denied.headers['www-authenticate']).toBe(
      'Bearer, DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", algs="ES256 PS256 RS256 EdDSA"',
    );
    expect(denied.body.error).toBe('use_dpop_nonce');
    expect(denied.headers['cache-control']).toBe('no-store');
    const nonce = denied.headers['dpop-nonce'];
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{39}$/);
    expectAllow(await h.call(token, h.proof({ accessToken: token, nonce })));
  });

  it('stateless: a nonce issued by one guard is accepted by another holding the same secret', async () => {
    const first = await dpopHarness({ nonce: { secrets: [SECRET] } });
    const second = await dpopHarness({ nonce: { secrets: [OTHER, SECRET] } });
    const token = first.mintBound();
    const denied = expectDeny(
      await first.call(token, first.proof({ accessToken: token })),
      'ERR_DPOP_NONCE_REQUIRED',
    );
    const nonce = denied.headers['dpop-nonce'];
    expectAllow(await second.call(token, second.proof({ accessToken: token, nonce })));
    // A guard without that secret refuses it, and hands out its own.
    const third = await dpopHarness({ nonce: { secrets: [OTHER] } });
    const refused = expectDeny(
      await third.call(token, third.proof({ accessToken: token, nonce })),
      'ERR_DPOP_NONCE_REQUIRED',
    );
    expect(refused.headers['dpop-nonce']).not.toBe(nonce);
  });

  it('a nonce is never accepted after its lifetime; a fresh one rides on the success before that', async () => {
    const h = await dpopHarness({ nonce: { secrets: [SECRET], lifetimeSeconds: 60 } });
    const token = h.mintBound({ exp: Math.floor(h.clock.seconds) + 600 });
    const nonce = expectDeny(await h.call(token, h.proof({ accessToken: token })), 'ERR_DPOP_NONCE_REQUIRED')
      .headers['dpop-nonce'];
    h.clock.seconds += 31;
    const renewed = expectAllow(await h.call(token, h.proof({ accessToken: token, nonce })));
    expect(renewed.headers['dpop-nonce']).toMatch(/^[A-Za-z0-9_-]{39}$/);
    expect(renewed.headers['cache-control']).toBe('no-store');
    // 60 s after its bucket began (51 s after it was issued), the first nonce is refused; the renewed one holds.
    h.clock.seconds += 20;
    expectDeny(await h.call(token, h.proof({ accessToken: token, nonce })), 'ERR_DPOP_NONCE_REQUIRED');
    expectAllow(await h.call(token, h.proof({ accessToken: token, nonce: renewed.headers['dpop-nonce'] })));
    h.clock.seconds += 60;
    expectDeny(
      await h.call(token, h.proof({ accessToken: token, nonce: renewed.headers['dpop-nonce'] })),
      'ERR_DPOP_NONCE_REQUIRED',
    );
  });

  it('a forged, truncated or non-canonical nonce is refused', async () => {
    const h = await dpopHarness({ nonce: { secrets: [SECRET] } });
    const token = h.mintBound();
    const nonce = expectDeny(await h.call(token, h.proof({ accessToken: token })), 'ERR_DPOP_NONCE_REQUIRED')
      .headers['dpop-nonce'] as string;
    const flipped = `${nonce.slice(0, 10)}${nonce[10] === 'A' ? 'B' : 'A'}${nonce.slice(11)}`;
    for (const bad of [
      flipped,
      nonce.slice(0, -1),
      `${nonce.slice(0, -1)}${nonce.at(-1) === 'A' ? 'B' : 'A'}`,
      'x'.repeat(39),
    ]) {
      expectDeny(await h.call(token, h.proof({ accessToken: token, nonce: bad })), 'ERR_DPOP_NONCE_REQUIRED');
    }
  });

  it('for every issue time, a nonce is accepted for at least half its lifetime and never beyond it', () => {
    const lifetime = 300;
    const nonces = createNonceAuthority([Buffer.from(SECRET)], lifetime);
    for (let issuedAt = 1_750_000_000; issuedAt < 1_750_000_000 + 2 * lifetime; issuedAt += 7) {
      const nonce = nonces.issue(issuedAt);
      expect(nonces.check(nonce, issuedAt)).toBe('current');
      expect(nonces.check(nonce, issuedAt + lifetime / 2 - 1)).not.toBe('invalid');
      expect(nonces.check(nonce, issuedAt + lifetime)).toBe('invalid');
      expect(nonces.check(nonce, issuedAt - lifetime)).toBe('invalid');
    }
    expect(nonces.issue(1)).not.toBe(nonces.issue(1));
    expect(nonces.check(undefined, 1)).toBe('invalid');
  });
});
