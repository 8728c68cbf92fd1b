/**
 * The revocation store's session and authentication cut-offs (checklist A10), which the identity
 * provider's signals record: a session entry matches tokens by their `sid` claim, an authentication
 * entry by `auth_time` (else `iat`); both refuse only up to their cut-off, merge forward, and expire.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, createMemoryRevocationStore } from '../../src/index.js';
import { revocationEntryId, revocationKey, revocationLookups } from '../../src/policy.js';
import { ISSUER, NOW, policyHarness } from './helpers.js';

const query = { issuer: ISSUER, tokenId: 'j1', subject: 's1', clientId: 'c1', issuedAt: NOW };

describe('A10 session and authentication entries in the memory store', () => {
  it('A10 a session cut-off refuses tokens carrying that sid issued up to it, nothing else', async () => {
    const store = createMemoryRevocationStore();
    await store.add(
      { kind: 'session', issuer: ISSUER, sessionId: 'sid-1', issuedBefore: NOW, expiresAt: NOW + 100 },
      NOW,
    );
    expect(await store.find({ ...query, sessionId: 'sid-1' }, NOW)).toMatchObject({ kind: 'session' });
    expect(await store.find({ ...query, sessionId: 'sid-1', issuedAt: NOW + 1 }, NOW)).toBeUndefined();
    expect(await store.find({ ...query, sessionId: 'sid-2' }, NOW)).toBeUndefined();
    expect(await store.find(query, NOW)).toBeUndefined();
    expect(await store.find({ ...query, sessionId: 'sid-1', issuer: 'https://other/' }, NOW)).toBeUndefined();
    expect(await store.find({ ...query, sessionId: 'sid-1' }, NOW + 100)).toBeUndefined();
  });

  it('A10 an authentication cut-off judges auth_time, falling back to iat, and fails closed without both', async () => {
    const store = createMemoryRevocationStore();
    const entry = {
      kind: 'authentication',
      issuer: ISSUER,
      subject: 's1',
      authenticatedBefore: NOW,
      expiresAt: NOW + 100,
    } as const;
    await store.add(entry, NOW);
    // Freshly issued, but from the old sign-in.
    expect(await store.find({ ...query, issuedAt: NOW + 50, authenticatedAt: NOW - 10 }, NOW)).toBeDefined();
    expect(await store.find({ ...query, issuedAt: NOW + 50, authenticatedAt: NOW + 1 }, NOW)).toBeUndefined();
    expect(await store.find({ ...query, issuedAt: NOW + 1 }, NOW)).toBeUndefined();
    expect(await store.find({ ...query, issuedAt: NOW }, NOW)).toBeDefined();
    expect(await store.find({ ...query, issuedAt: undefined }, NOW)).toBeDefined();
    expect(await store.find({ ...query, subject: 's2' }, NOW)).toBeUndefined();
  });

  it('A10 later cut-offs for the same session or subject move forward, never back', async () => {
    const store = createMemoryRevocationStore();
    const add = (authenticatedBefore: number) =>
      store.add(
        { kind: 'authentication', issuer: ISSUER, subject: 's1', authenticatedBefore, expiresAt: NOW + 100 },
        NOW,
      );
    await add(NOW);
    await add(NOW - 50);
    expect(await store.find({ ...query, authenticatedAt: NOW - 1 }, NOW)).toBeDefined();
    const session = (issuedBefore: number) =>
      store.add({ kind: 'session', issuer: ISSUER, sessionId: 'x', issuedBefore, expiresAt: NOW + 100 }, NOW);
    await session(NOW);
    await session(NOW - 50);
    expect(await store.find({ ...query, sessionId: 'x', issuedAt: NOW - 1 }, NOW)).toBeDefined();
  });

  it('keys and lookups: one key per kind and id, never the token', () => {
    expect(
      revocationEntryId({ kind: 'session', issuer: ISSUER, sessionId: 'x', issuedBefore: 0, expiresAt: 1 }),
    ).toBe('x');
    expect(revocationLookups({ ...query, sessionId: 'x' })).toEqual([
      ['token', 'j1'],
      ['subject', 's1'],
      ['client', 'c1'],
      ['session', 'x'],
      ['authentication', 's1'],
    ]);
    expect(revocationKey('session', ISSUER, 'x')).toBe(`session\u0000${ISSUER}\u0000x`);
  });
});

describe('A10 revokeSession and revokeAuthentication through the guard', () => {
  it('A10 revokeSession refuses the session’s tokens; revokeAuthentication the old sign-ins', async () => {
    const h = policyHarness();
    const inSession = h.mint({ claims: { sid: 'sid-1' } });
    const oldSignIn = h.mint({ claims: { auth_time: NOW - 100 } });
    const newSignIn = h.mint({ claims: { auth_time: NOW - 10 } });
    await h.guard.revocation.revokeSession({ issuer: ISSUER, sessionId: 'sid-1' });
    await h.guard.revocation.revokeAuthentication({
      issuer: ISSUER,
      subject: 'user-1',
      authenticatedBefore: NOW - 50,
    });
    expect((await h.evaluateToken(inSession)).outcome).toBe('deny');
    expect((await h.evaluateToken(oldSignIn)).outcome).toBe('deny');
    expect((await h.evaluateToken(newSignIn)).outcome).toBe('allow');
    await expect(
      h.guard.revocation.revokeSession({ issuer: 'https://unknown/', sessionId: 'x' }),
    ).rejects.toThrow(ConfigError);
    await expect(
      h.guard.revocation.revokeSession({ issuer: ISSUER, sessionId: '' } as never),
    ).rejects.toThrow(/sessionId/);
  });
});
