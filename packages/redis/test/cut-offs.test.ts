/**
 * Session (`sid`) and authentication (`auth_time`) cut-offs through the shared revocation list, on a real
 * redis-server: made on one instance, enforced by the others on their next request (checklist A11, and
 * the CAEP mapping "session-revoked → reject tokens with iat or auth_time ≤ T"); a later cut-off is never
 * shortened by an earlier one arriving after it.
 */
import { bearer } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { type Instance, ISSUER, mint, startInstance, startPair, useRedisServer } from './support.js';

const redis = useRedisServer();
const { instances } = redis;

// Revocations resolve once every instance refuses (`awaitBound`): each check right after one is exact.
const pair = (prefix: string) => startPair(redis, prefix, { awaitBound: true });

const reasonOn = async (instance: Instance, token: string) =>
  (await instance.guard.evaluate(bearer(token))).audit.reason;

describe('Redis revocation store: session and authentication cut-offs', () => {
  it('A11: a session cut-off on A refuses that sid on B; other sessions and later tokens pass', async () => {
    const [a, b] = await pair('session');
    const now = Math.floor(Date.now() / 1000);
    const inSession = mint({ claims: { sub: 'dora', sid: 'session-1', iat: now - 10 } });
    const otherSession = mint({ claims: { sub: 'dora', sid: 'session-2', iat: now - 10 } });
    expect(await reasonOn(b, inSession)).toBe('OK');
    await a.guard.revocation.revokeSession({ issuer: ISSUER, sessionId: 'session-1' });
    expect(await reasonOn(b, inSession)).toBe('ERR_TOKEN_REVOKED');
    expect(await reasonOn(a, inSession)).toBe('ERR_TOKEN_REVOKED');
    expect(await reasonOn(b, otherSession)).toBe('OK');
    const reissued = mint({ claims: { sub: 'dora', sid: 'session-1', iat: now + 2 } });
    expect(await reasonOn(b, reissued)).toBe('OK');
  });

  it('A11: an authentication cut-off on A refuses on B a token issued later from an older sign-in', async () => {
    const [a, b] = await pair('authentication');
    const now = Math.floor(Date.now() / 1000);
    // Issued after the cut-off, but from a sign-in before it: the user must authenticate again.
    const stale = mint({ claims: { sub: 'erin', auth_time: now - 600, iat: now + 2 } });
    const fresh = mint({ claims: { sub: 'erin', auth_time: now + 2, iat: now + 2 } });
    expect(await reasonOn(b, stale)).toBe('OK');
    await a.guard.revocation.revokeAuthentication({ issuer: ISSUER, subject: 'erin' });
    expect(await reasonOn(b, stale)).toBe('ERR_TOKEN_REVOKED');
    expect(await reasonOn(b, fresh)).toBe('OK');
    // Another subject is untouched.
    expect(await reasonOn(b, mint({ claims: { sub: 'frank', auth_time: now - 600 } }))).toBe('OK');
  });

  it('A11: for sessions and authentications alike, an earlier cut-off arriving later never shortens a later one', async () => {
    const [a, b] = await pair('merge-kinds');
    const now = Math.floor(Date.now() / 1000);
    await a.guard.revocation.revokeSession({ issuer: ISSUER, sessionId: 's-9', issuedBefore: now });
    await b.guard.revocation.revokeSession({ issuer: ISSUER, sessionId: 's-9', issuedBefore: now - 60 });
    await a.guard.revocation.revokeAuthentication({
      issuer: ISSUER,
      subject: 'gus',
      authenticatedBefore: now,
    });
    await b.guard.revocation.revokeAuthentication({
      issuer: ISSUER,
      subject: 'gus',
      authenticatedBefore: now - 60,
    });
    const session = mint({ claims: { sub: 'hal', sid: 's-9', iat: now - 1 } });
    const signIn = mint({ claims: { sub: 'gus', auth_time: now - 1 } });
    for (const instance of [a, b]) {
      expect(await reasonOn(instance, session)).toBe('ERR_TOKEN_REVOKED');
      expect(await reasonOn(instance, signIn)).toBe('ERR_TOKEN_REVOKED');
    }
    // A third instance starting now loads the merged (later) cut-offs too.
    const c = await startInstance(redis.server(), 'merge-kinds');
    instances.push(c);
    expect(await reasonOn(c, session)).toBe('ERR_TOKEN_REVOKED');
    expect(await reasonOn(c, signIn)).toBe('ERR_TOKEN_REVOKED');
  });
});
