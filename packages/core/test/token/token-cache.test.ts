/**
 * The verified-token cache: keyed by SHA-256 of the whole token (attack #37), bounded by `exp` and the age
 * cap to the second, never a shortcut around requirements, and admitting a token only on its second
 * verification (one-off tokens never displace reused ones).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { requireScopes } from '../../src/index.js';
import { createTokenCache } from '../../src/token/token-cache.js';
import { expectAllow, expectDeny, harness, NOW } from '../support.js';

/** Verifies a token twice, which admits it to the cache. */
async function cached(evaluateToken: ReturnType<typeof harness>['evaluateToken'], token: string) {
  expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
  expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
}

describe('hits', () => {
  it('a token is verified twice, then served from the cache', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    await cached(evaluateToken, token);
    const third = expectAllow(await evaluateToken(token));
    expect(third.audit.cacheHit).toBe(true);
    expect(third.principal?.subject).toBe('user-1');
  });

  it('tokens seen once never displace a reused one, however many there are', async () => {
    const { mint, evaluateToken } = harness({ guard: { cache: { maxEntries: 1 } } });
    const reused = mint();
    await cached(evaluateToken, reused);
    for (let index = 0; index < 200; index += 1) {
      expect(expectAllow(await evaluateToken(mint())).audit.cacheHit).toBe(false);
    }
    expect(expectAllow(await evaluateToken(reused)).audit.cacheHit).toBe(true);
  });

  it('cache: false verifies every time', async () => {
    const { mint, evaluateToken } = harness({ guard: { cache: false } });
    const token = mint();
    await evaluateToken(token);
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
  });

  it('refusals are never cached', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint({ claims: { aud: 'other' } });
    await evaluateToken(token);
    expect(expectDeny(await evaluateToken(token), 'ERR_AUDIENCE_MISMATCH').audit.cacheHit).toBe(false);
  });

  it('AT-12: requirements are checked again on every hit', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint({ claims: { scope: 'orders:read' } });
    await cached(evaluateToken, token);
    const denied = expectDeny(
      await evaluateToken(token, requireScopes('orders:write')),
      'ERR_INSUFFICIENT_SCOPE',
      403,
    );
    expect(denied.audit.cacheHit).toBe(true);
    expect(expectAllow(await evaluateToken(token, requireScopes('orders:read'))).audit.cacheHit).toBe(true);
  });
});

describe('#37: only the very same token hits', () => {
  it('the same header.payload with another (invalid) signature is never served from the cache', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    await cached(evaluateToken, token);
    const signingInput = token.slice(0, token.lastIndexOf('.'));
    const signature = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
    signature[0] = (signature[0] as number) ^ 0x80;
    const forged = `${signingInput}.${signature.toString('base64url')}`;
    const denied = expectDeny(await evaluateToken(forged), 'ERR_SIGNATURE_INVALID', 401);
    expect(denied.audit.cacheHit).toBe(false);
    expectDeny(await evaluateToken(`${signingInput}.${'A'.repeat(86)}`), 'ERR_SIGNATURE_INVALID');
    // The genuine token is still served.
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(true);
  });

  it('two tokens with the same claims but different jti never share an entry', async () => {
    const { mint, evaluateToken } = harness();
    const a = mint({ claims: { jti: 'a' } });
    const b = mint({ claims: { jti: 'b' } });
    await evaluateToken(a);
    const second = expectAllow(await evaluateToken(b));
    expect(second.audit.cacheHit).toBe(false);
    expect(second.principal?.tokenId).toBe('b');
  });
});

describe('lifetime of an entry', () => {
  it('an entry stops answering at exp, to the second', async () => {
    const { mint, evaluateToken, clock } = harness({ guard: { clockToleranceSeconds: 0 } });
    const token = mint({ lifetime: 120 });
    await cached(evaluateToken, token);
    clock.ms = (NOW + 120) * 1000 - 1;
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(true);
    clock.ms = (NOW + 120) * 1000;
    const expired = expectDeny(await evaluateToken(token), 'ERR_TOKEN_EXPIRED', 401);
    expect(expired.audit.cacheHit).toBe(false);
  });

  it('within the clock tolerance after exp the token is verified again, never served from the cache', async () => {
    const { mint, evaluateToken, clock } = harness();
    const token = mint({ lifetime: 120 });
    await evaluateToken(token);
    clock.ms = (NOW + 121) * 1000;
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
  });

  it('maxTokenAgeSeconds bounds an entry too', async () => {
    const { mint, evaluateToken, clock } = harness({
      issuer: { maxTokenAgeSeconds: 60 },
      guard: { clockToleranceSeconds: 0 },
    });
    const token = mint({ lifetime: 300 });
    await cached(evaluateToken, token);
    clock.ms = (NOW + 60) * 1000 - 1;
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(true);
    clock.ms = (NOW + 60) * 1000;
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
    clock.ms = (NOW + 61) * 1000;
    expectDeny(await evaluateToken(token), 'ERR_TOKEN_TOO_OLD', 401);
  });

  it('maxEntries bounds the cache (least recently used goes first)', async () => {
    const { mint, evaluateToken } = harness({ guard: { cache: { maxEntries: 1 } } });
    const a = mint();
    const b = mint();
    await evaluateToken(a);
    await evaluateToken(b);
    expect(expectAllow(await evaluateToken(a)).audit.cacheHit).toBe(false);
    expect(expectAllow(await evaluateToken(a)).audit.cacheHit).toBe(true);
  });

  it('maxTtlSeconds bounds an entry in real time', async () => {
    const { mint, evaluateToken } = harness({ guard: { cache: { maxTtlSeconds: 1 } } });
    const token = mint();
    await cached(evaluateToken, token);
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(true);
    await sleep(1100);
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
  });

  it('createTokenCache never stores an entry that is already past its validity', () => {
    const cache = createTokenCache({ maxEntries: 10, maxTtlSeconds: 3600 });
    // A key source that still holds the verifying key: only the validity bounds the entry here.
    const keySource = { confirms: () => true };
    const entry = { validUntil: NOW, keySource, key: {} } as unknown as Parameters<typeof cache.set>[1];
    const k = 'k'.repeat(43);
    cache.set(k, entry, NOW * 1000);
    cache.set(k, entry, NOW * 1000);
    expect(cache.get(k, NOW * 1000 - 5000)).toBeUndefined();
    const k2 = 'K'.repeat(43);
    cache.set(k2, entry, NOW * 1000 - 1000);
    expect(cache.get(k2, NOW * 1000 - 999)).toBeUndefined();
    cache.set(k2, entry, NOW * 1000 - 1000);
    expect(cache.get(k2, NOW * 1000 - 999)).toBe(entry);
    expect(cache.get(k2, NOW * 1000)).toBeUndefined();
    expect(cache.get(k2, NOW * 1000 - 999)).toBeUndefined();
  });

  it('never serves an entry no key vouches for (an introspected token belongs to the introspection cache)', () => {
    const cache = createTokenCache({ maxEntries: 10, maxTtlSeconds: 3600 });
    const entry = { validUntil: NOW + 60 } as unknown as Parameters<typeof cache.set>[1];
    const k = 'q'.repeat(43);
    cache.set(k, entry, NOW * 1000);
    cache.set(k, entry, NOW * 1000);
    expect(cache.get(k, NOW * 1000)).toBeUndefined();
  });
});
