/**
 * The synchronous path through key resolution (issue 7): with the keys at hand, a key lookup and a whole
 * token verification answer without a promise; a promise appears only where keys must be fetched, and the
 * answers are the same either way (checklist K-4, K-6, K-10; attack #24).
 */
import { generateTestKey, type KeyServer, signToken, startKeyServer } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticKeySource } from '../../src/keys/key-source.js';
import { importJwk, KeySet, type VerificationKey } from '../../src/keys/keys.js';
import { RemoteKeySource } from '../../src/keys/remote-key-source.js';
import { type ResolvedIssuer, verifyAccessToken } from '../../src/token/verify-token.js';
import { AUDIENCE, ISSUER, NOW, validClaims } from '../support.js';

const key = generateTestKey('ES256', 'sync-es256');
const rotated = generateTestKey('ES256', 'sync-rotated');
const TIMING = {
  cooldownMs: 30_000,
  maxAgeMs: 600_000,
  staleIfErrorMs: 3_600_000,
  retryAfterFailureMs: 5000,
};

function imported(jwk: Record<string, unknown>): VerificationKey {
  const result = importJwk(jwk, ['ES256']);
  if (!result.ok) throw new Error(result.reason);
  return result.key;
}

function issuerWith(keySource: ResolvedIssuer['keySource']): ReadonlyMap<string, ResolvedIssuer> {
  const issuer: ResolvedIssuer = {
    issuer: ISSUER,
    algorithms: new Set(['ES256']),
    keySource,
    tokenType: 'at+jwt',
    claimRules: {
      audiences: new Set([AUDIENCE]),
      requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'],
      clockToleranceSeconds: 5,
      maxTokenAgeSeconds: undefined,
      maxLifetimeSeconds: 86_400,
    },
    scopeClaims: [['scope', 'string']],
    certificateBound: false,
  };
  return new Map([[ISSUER, issuer]]);
}

function token(kid = key.kid, signWith = key.privateKey): string {
  return signToken(
    {
      header: { alg: 'ES256', typ: 'at+jwt', kid },
      payload: validClaims({ scope: 'orders:read orders:read orders:write' }),
    },
    signWith,
  );
}

describe('static keys: no promise anywhere', () => {
  const source = new StaticKeySource(ISSUER, new KeySet([imported(key.jwk)]));

  it('resolve answers a known kid, an unknown kid and a wrong algorithm synchronously', () => {
    const found = source.resolve(key.kid, 'ES256');
    expect(found).not.toBeInstanceOf(Promise);
    expect(found).toMatchObject({ kind: 'key', key: { kid: key.kid, alg: 'ES256' } });
    expect(source.resolve('other', 'ES256')).toEqual({ kind: 'miss', reason: 'unknown-kid' });
    expect(source.resolve(key.kid, 'RS256')).toEqual({ kind: 'miss', reason: 'algorithm-mismatch' });
  });

  it('verifyAccessToken allows a valid token without a promise, with the same result as awaited', async () => {
    const issuers = issuerWith(source);
    const result = verifyAccessToken(token(), issuers, NOW);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toMatchObject({ ok: true, token: { keyId: key.kid } });
    if (result instanceof Promise || !result.ok) throw new Error('expected a synchronous allow');
    expect(result.token.principal.scopes).toEqual(['orders:read', 'orders:write']);
    expect([...result.token.scopeSet]).toEqual(['orders:read', 'orders:write']);
    expect(Object.isFrozen(result.token.principal.scopes)).toBe(true);
    expect(await verifyAccessToken(token(), issuers, NOW)).toMatchObject({ ok: true });
  });

  it('J-7/#28: a refusal after key selection is synchronous too (forged signature)', () => {
    const result = verifyAccessToken(token(key.kid, rotated.privateKey), issuerWith(source), NOW);
    expect(result).toEqual({
      ok: false,
      code: 'ERR_SIGNATURE_INVALID',
      detail: 'signature does not verify',
      issuer: ISSUER,
    });
  });
});

describe('remote keys: synchronous once loaded, a promise only while fetching', () => {
  let server: KeyServer;
  let now = Date.now();
  let source: RemoteKeySource;
  beforeAll(async () => {
    server = await startKeyServer({ https: false, keys: [key.jwk] });
    source = new RemoteKeySource({
      issuer: ISSUER,
      locate: async () => server.jwksUri,
      // A real request to the real local key server.
      fetchJson: async (url) => (await fetch(url)).json(),
      algorithms: ['ES256'],
      timing: TIMING,
      clock: () => now,
      maxKeys: 10,
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('the first lookup fetches (a promise); the next ones answer from the loaded keys at once', async () => {
    const first = source.resolve(key.kid, 'ES256');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ kind: 'key' });
    expect(server.count('/jwks')).toBe(1);
    const second = source.resolve(key.kid, 'ES256');
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toMatchObject({ kind: 'key', key: { kid: key.kid } });
    const verified = verifyAccessToken(token(), issuerWith(source), NOW);
    expect(verified).not.toBeInstanceOf(Promise);
    expect(verified).toMatchObject({ ok: true });
    expect(server.count('/jwks')).toBe(1);
  });

  it('#24: the first unknown kid refetches; the next one within the cooldown is a synchronous miss, without a fetch', async () => {
    const before = server.count('/jwks');
    const first = source.resolve('never-published', 'ES256');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ kind: 'miss', reason: 'unknown-kid' });
    expect(server.count('/jwks')).toBe(before + 1);
    expect(source.resolve('never-published-2', 'ES256')).toEqual({ kind: 'miss', reason: 'unknown-kid' });
    expect(server.count('/jwks')).toBe(before + 1);
  });

  it('K-6: after the cooldown an unknown kid refetches (a promise) and finds a rotated key', async () => {
    server.setKeys([key.jwk, rotated.jwk]);
    now += TIMING.cooldownMs;
    const pending = verifyAccessToken(token(rotated.kid, rotated.privateKey), issuerWith(source), NOW);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toMatchObject({ ok: true, token: { keyId: rotated.kid } });
    expect(source.resolve(rotated.kid, 'ES256')).toMatchObject({ kind: 'key', key: { kid: rotated.kid } });
  });

  it('stale keys answer synchronously while a refresh runs behind the request', async () => {
    const before = server.count('/jwks');
    now += TIMING.maxAgeMs + 1;
    const stale = source.resolve(key.kid, 'ES256');
    expect(stale).not.toBeInstanceOf(Promise);
    expect(stale).toMatchObject({ kind: 'key' });
    await expect.poll(() => server.count('/jwks'), { timeout: 5000 }).toBe(before + 1);
  });
});
