/**
 * Signing key rotation at a real provider (OIDC Core §10.1.1): the provider restarts with a new key
 * published first and the old one kept. nevertrust fetches the key set again once for the new `kid`, keeps
 * accepting tokens signed with the old key until they expire, and never lets unknown `kid`s cause a fetch
 * storm: one fetch per cooldown at most (K-5, K-6, attack #24).
 */
import { createGuard, type Guard } from '@nevertrust/core';
import {
  createTokenIssuer,
  generateTestKey,
  type OidcTestProvider,
  ORDERS_API,
  startOidcProvider,
} from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, present, reasonOf, sleep, waitUntilPast } from './support.js';

// Long enough that a cooldown counted from the start-up fetch would refuse the rotated key in this test.
const COOLDOWN_MS = 60_000;
// The one-second batch-job token stays acceptable for at least this long after issue, whatever the load.
const TOLERANCE_SECONDS = 3;

/** Presents `token` every 20 ms until it is refused as ERR_KEY_NOT_FOUND (at most 3 s); the reasons seen. */
async function untilKeyNotFound(target: Guard, token: string): Promise<string[]> {
  const reasons: string[] = [];
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && reasons.at(-1) !== 'ERR_KEY_NOT_FOUND') {
    reasons.push(reasonOf(await present(target, token)));
    await sleep(20);
  }
  return reasons;
}

let idp: OidcTestProvider;
let guard: Guard;

beforeAll(async () => {
  idp = await startOidcProvider();
  guard = createGuard({
    issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
    // No verified-token cache: every presentation goes through key selection.
    cache: false,
    clockToleranceSeconds: TOLERANCE_SECONDS,
    keyFetch: { cooldownMs: COOLDOWN_MS },
  });
  await guard.ready();
});

afterAll(async () => {
  await guard?.close();
  await idp?.close();
});

describe('key rotation at the provider', () => {
  it('K-5 K-6: a new kid is fetched once, and tokens signed before the rotation stay valid until they expire', async () => {
    const [oldKid] = idp.keyIds;
    const longLived = (await idp.clientCredentials('reporting-service', { scope: 'orders:read' }))
      .accessToken;
    const shortLived = (await idp.clientCredentials('batch-job', { scope: 'orders:read' })).accessToken;
    expect(decodeJwt(shortLived).header.kid).toBe(oldKid);
    expect(idp.requests('/jwks')).toBe(1);

    // No wait: the key is published and used moments after the start-up fetch, inside what used to be a
    // cooldown counted from that fetch. The first token signed with it must be accepted.
    const newKid = await idp.rotateKeys();
    expect(idp.keyIds).toEqual([newKid, oldKid]);
    const fresh = (await idp.clientCredentials('reporting-service', { scope: 'orders:read' })).accessToken;
    expect(decodeJwt(fresh).header.kid).toBe(newKid);

    // Ten concurrent requests with the new kid: one coalesced refetch.
    const decisions = await Promise.all(Array.from({ length: 10 }, () => present(guard, fresh)));
    expect(decisions.map(reasonOf)).toEqual(Array(10).fill('OK'));
    expect(idp.requests('/jwks')).toBe(2);
    expect(decisions[0]?.audit.keyId).toBe(newKid);

    // Tokens signed before the rotation still verify with the old key, which the provider still publishes.
    expect(reasonOf(await present(guard, longLived))).toBe('OK');
    expect(reasonOf(await present(guard, shortLived))).toBe('OK');

    // ... and the old short-lived token ends when its exp says, not when the key changed.
    await waitUntilPast((decodeJwt(shortLived).payload.exp as number) + TOLERANCE_SECONDS);
    expect(reasonOf(await present(guard, shortLived))).toBe('ERR_TOKEN_EXPIRED');
    expect(reasonOf(await present(guard, longLived))).toBe('OK');
  });

  it('K-6 #24: tokens with unknown kids cause one fetch per cooldown, however many arrive', async () => {
    const calm = createGuard({
      issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
      cache: false,
      keyFetch: { cooldownMs: 60_000 },
    });
    try {
      await calm.ready();
      const fetches = idp.requests('/jwks');
      const stranger = generateTestKey('RS256');
      const mint = createTokenIssuer({ issuer: idp.issuer, audience: ORDERS_API, key: stranger });
      const probe = (i: number) => present(calm, mint({ header: { kid: `random-${i}` } }));
      // The first unknown kid refetches at once (it may be a key published since start-up); every other
      // one within the cooldown joins that fetch or is refused without one.
      const probes = await Promise.all(Array.from({ length: 100 }, (_, i) => probe(i)));
      for (let i = 100; i < 200; i += 1) probes.push(await probe(i));
      expect(new Set(probes.map(reasonOf))).toEqual(new Set(['ERR_KEY_NOT_FOUND']));
      expect(idp.requests('/jwks')).toBe(fetches + 1);
    } finally {
      await calm.close();
    }
  });

  it('K-5: a key the provider retires stops verifying at the next scheduled refresh (maxAgeMs)', async () => {
    const maxAgeMs = 300;
    const refreshing = createGuard({
      issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
      cache: false,
      keyFetch: { cooldownMs: COOLDOWN_MS, maxAgeMs, retryAfterFailureMs: 100 },
    });
    try {
      await refreshing.ready();
      const before = (await idp.clientCredentials('reporting-service', { scope: 'orders:read' })).accessToken;
      expect(reasonOf(await present(refreshing, before))).toBe('OK');
      const fetches = idp.requests('/jwks');
      const newest = await idp.rotateKeys({ retirePrevious: true });
      expect(idp.keyIds).toEqual([newest]);

      // Until the key set is refreshed, the retired key is still known: the exposure is bounded by maxAgeMs.
      await sleep(maxAgeMs + 50);
      const reasons = await untilKeyNotFound(refreshing, before);
      expect(reasons.at(-1)).toBe('ERR_KEY_NOT_FOUND');
      expect(new Set(reasons)).toEqual(
        new Set(reasons.length > 1 ? ['OK', 'ERR_KEY_NOT_FOUND'] : ['ERR_KEY_NOT_FOUND']),
      );
      // The scheduled refresh, and at most one refetch for the retired kid, now an unknown one (K-6).
      const refreshed = idp.requests('/jwks');
      expect(refreshed - fetches).toBeGreaterThanOrEqual(1);
      expect(refreshed - fetches).toBeLessThanOrEqual(2);

      const after = (await idp.clientCredentials('reporting-service', { scope: 'orders:read' })).accessToken;
      expect(reasonOf(await present(refreshing, after))).toBe('OK');
      expect(idp.requests('/jwks')).toBe(refreshed);
    } finally {
      await refreshing.close();
    }
  });

  it('K-5: a retired key ends its cached tokens too, at the refresh a cache hit starts', async () => {
    const maxAgeMs = 300;
    const cached = createGuard({
      issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
      keyFetch: { cooldownMs: COOLDOWN_MS, maxAgeMs, retryAfterFailureMs: 100 },
    });
    try {
      await cached.ready();
      const token = (await idp.clientCredentials('reporting-service', { scope: 'orders:read' })).accessToken;
      const hits: boolean[] = [];
      for (let i = 0; i < 3; i += 1) hits.push((await present(cached, token)).audit.cacheHit);
      expect(hits).toEqual([false, false, true]);
      await idp.rotateKeys({ retirePrevious: true });
      await sleep(maxAgeMs + 50);
      // Every request here would be a cache hit: the hits themselves refresh the stale key set.
      expect((await untilKeyNotFound(cached, token)).at(-1)).toBe('ERR_KEY_NOT_FOUND');
      expect(reasonOf(await present(cached, token))).toBe('ERR_KEY_NOT_FOUND');
    } finally {
      await cached.close();
    }
  });
});
