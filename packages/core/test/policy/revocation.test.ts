import { bearer } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createMemoryRevocationStore,
  type RevocationStore,
  requireScopes,
} from '../../src/index.js';
import { revocationKey } from '../../src/policy.js';
import { ISSUER, NOW, policyHarness } from './helpers.js';

describe('in-memory revocation store', () => {
  const query = { issuer: ISSUER, tokenId: 'j1', subject: 's1', clientId: 'c1', issuedAt: NOW };

  it('finds a token entry until it expires, then forgets it', async () => {
    const store = createMemoryRevocationStore();
    await store.add({ kind: 'token', issuer: ISSUER, tokenId: 'j1', expiresAt: NOW + 10 }, NOW);
    expect(await store.find(query, NOW)).toMatchObject({ kind: 'token' });
    expect(await store.find({ ...query, tokenId: 'j2' }, NOW)).toBeUndefined();
    expect(await store.find({ ...query, issuer: 'https://other/' }, NOW)).toBeUndefined();
    expect(await store.find(query, NOW + 10)).toBeUndefined();
  });

  it('A10 a subject cut-off refuses tokens issued at or before it, not after', async () => {
    const store = createMemoryRevocationStore();
    await store.add(
      { kind: 'subject', issuer: ISSUER, subject: 's1', issuedBefore: NOW, expiresAt: NOW + 100 },
      NOW,
    );
    expect(await store.find({ ...query, issuedAt: NOW - 1 }, NOW)).toBeDefined();
    expect(await store.find({ ...query, issuedAt: NOW }, NOW)).toBeDefined();
    expect(await store.find({ ...query, issuedAt: NOW + 1 }, NOW)).toBeUndefined();
    // No iat: cannot prove it was issued after the cut-off (fail closed).
    expect(await store.find({ ...query, issuedAt: undefined }, NOW)).toBeDefined();
  });

  it('a later cut-off for the same client replaces an earlier one', async () => {
    const store = createMemoryRevocationStore();
    await store.add(
      { kind: 'client', issuer: ISSUER, clientId: 'c1', issuedBefore: NOW - 50, expiresAt: NOW + 10 },
      NOW,
    );
    await store.add(
      { kind: 'client', issuer: ISSUER, clientId: 'c1', issuedBefore: NOW, expiresAt: NOW + 100 },
      NOW,
    );
    expect(await store.find({ ...query, issuedAt: NOW - 10 }, NOW + 50)).toMatchObject({ kind: 'client' });
  });

  it('is bounded: expired entries are swept, live ones are never evicted', async () => {
    const store = createMemoryRevocationStore({ maxEntries: 2 });
    await store.add({ kind: 'token', issuer: ISSUER, tokenId: 'a', expiresAt: NOW + 5 }, NOW);
    await store.add({ kind: 'token', issuer: ISSUER, tokenId: 'b', expiresAt: NOW + 100 }, NOW);
    await expect(
      store.add({ kind: 'token', issuer: ISSUER, tokenId: 'c', expiresAt: NOW + 100 }, NOW),
    ).rejects.toMatchObject({
      code: 'ERR_REVOCATION_STORE_FULL',
    });
    expect(await store.find({ ...query, tokenId: 'a' }, NOW)).toBeDefined();
    // Once 'a' expires there is room again.
    await store.add({ kind: 'token', issuer: ISSUER, tokenId: 'c', expiresAt: NOW + 100 }, NOW + 6);
    expect(await store.find({ ...query, tokenId: 'c' }, NOW + 6)).toBeDefined();
    expect(await store.find({ ...query, tokenId: 'b' }, NOW + 6)).toBeDefined();
  });

  it('#16 keys entries by issuer and id, never by a token string', () => {
    expect(revocationKey('token', ISSUER, 'j1')).toBe(`token\u0000${ISSUER}\u0000j1`);
  });
});

describe('revocation through the guard (assume breach)', () => {
  it('a revoked token is refused on its next request, even from the cache', async () => {
    const { guard, mint, events } = policyHarness();
    const token = mint({ claims: { jti: 'tok-1' } });
    // Twice: the cache admits a token on its second verification.
    expect((await guard.evaluate(bearer(token))).outcome).toBe('allow');
    expect((await guard.evaluate(bearer(token))).outcome).toBe('allow');
    await guard.revocation.revokeToken({ issuer: ISSUER, tokenId: 'tok-1' });
    const decision = await guard.evaluate(bearer(token));
    expect(decision).toMatchObject({ outcome: 'deny', status: 401, code: 'ERR_TOKEN_REVOKED' });
    expect(decision.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(events.at(-1)).toMatchObject({ reason: 'ERR_TOKEN_REVOKED', cacheHit: true, tokenId: 'tok-1' });
    expect((await guard.evaluate(bearer(mint({ claims: { jti: 'tok-2' } })))).outcome).toBe('allow');
  });

  it('a token revocation lasts until the token would have expired (plus tolerance), then is dropped', async () => {
    const { guard, mint, clock } = policyHarness();
    const token = mint({ claims: { jti: 'tok-3' }, lifetime: 60 });
    await guard.revocation.revokeToken({ issuer: ISSUER, tokenId: 'tok-3', expiresAt: NOW + 60 });
    clock.seconds = NOW + 64;
    expect(await guard.evaluate(bearer(token))).toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    clock.seconds = NOW + 66;
    expect(await guard.evaluate(bearer(token))).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
  });

  it('A10 revoking a subject refuses its older tokens and accepts new ones', async () => {
    const { guard, mint, clock } = policyHarness();
    const before = mint({ claims: { sub: 'alice' } });
    const bob = mint({ claims: { sub: 'bob' } });
    clock.seconds = NOW + 10;
    await guard.revocation.revokeSubject({ issuer: ISSUER, subject: 'alice' });
    expect(await guard.evaluate(bearer(before))).toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    expect((await guard.evaluate(bearer(bob))).outcome).toBe('allow');
    clock.seconds = NOW + 11;
    expect((await guard.evaluate(bearer(mint({ claims: { sub: 'alice' } })))).outcome).toBe('allow');
  });

  it('revoking a client refuses every token issued to it before the cut-off', async () => {
    const { guard, mint, clock } = policyHarness();
    const token = mint({ claims: { client_id: 'leaky', sub: 'leaky' } });
    await guard.revocation.revokeClient({ issuer: ISSUER, clientId: 'leaky', issuedBefore: NOW });
    expect(await guard.evaluate(bearer(token))).toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    clock.seconds = NOW + 1;
    expect(
      (await guard.evaluate(bearer(mint({ claims: { client_id: 'leaky', sub: 'leaky' } })))).outcome,
    ).toBe('allow');
  });

  it('revocation outranks policy: a revoked token on a dry-run route is still refused', async () => {
    const { guard, mint } = policyHarness({ policy: { dryRun: true } });
    const token = mint({ claims: { jti: 'tok-4' } });
    await guard.revocation.revokeToken({ issuer: ISSUER, tokenId: 'tok-4' });
    expect(await guard.evaluate(bearer(token), requireScopes('x'))).toMatchObject({
      code: 'ERR_TOKEN_REVOKED',
    });
  });

  it('a failing store fails closed with 503', async () => {
    const broken: RevocationStore = {
      add: async () => undefined,
      find: async () => {
        throw new Error('connection refused');
      },
    };
    const { guard, mint } = policyHarness({ revocation: { store: broken } });
    const decision = await guard.evaluate(bearer(mint()));
    expect(decision).toMatchObject({ status: 503, code: 'ERR_REVOCATION_UNAVAILABLE' });
    expect(decision.outcome === 'deny' && decision.body.error).toBe('temporarily_unavailable');
  });

  it('uses a configured store', async () => {
    const seen: string[] = [];
    const inner = createMemoryRevocationStore();
    const store: RevocationStore = {
      add: (entry, now) => {
        seen.push(entry.kind);
        return inner.add(entry, now);
      },
      find: (query, now) => inner.find(query, now),
    };
    const { guard } = policyHarness({ revocation: { store } });
    await guard.revocation.revokeSubject({ issuer: ISSUER, subject: 'x' });
    expect(seen).toEqual(['subject']);
  });

  it('refuses revocations for unknown issuers or without ids', async () => {
    const { guard } = policyHarness();
    await expect(guard.revocation.revokeToken({ issuer: 'https://evil/', tokenId: 'x' })).rejects.toThrow(
      ConfigError,
    );
    await expect(guard.revocation.revokeToken({ issuer: ISSUER, tokenId: '' })).rejects.toThrow(/tokenId/);
    await expect(
      guard.revocation.revokeSubject({ issuer: ISSUER, subject: 'x', issuedBefore: Number.NaN }),
    ).rejects.toThrow(/issuedBefore/);
  });

  it('rejects a bad store option at start-up', () => {
    expect(() => policyHarness({ revocation: { store: {} as RevocationStore } })).toThrow(/revocation.store/);
  });
});
