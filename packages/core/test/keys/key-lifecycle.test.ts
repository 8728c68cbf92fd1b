/**
 * Keys over their whole life, against a real key server and a hand-driven clock: a cached verification
 * lives only as long as the key that verified it (removed at a refetch, replaced under the same `kid`,
 * withdrawn by the operator, or past the stale-if-error bound), the operator's `guard.keys` API, and the
 * key-set health it reports (checklist K-5, K-6, attack #24; design §5: a cache never decides what a fresh
 * check would refuse).
 */
import { generateTestKey } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuditRecord, createCallbackSink, type Decision } from '../../src/index.js';
import { auditRecordSchema, type KeyEvent } from '../../src/sinks.js';
import { Cleanup, type Rig, type RigOptions, startRig, tokenFor } from '../fixtures/remote-rig.js';
import { expectAllow, expectDeny, harness } from '../support.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const MAX_AGE = 60_000;
const STALE = 120_000;

/** A rig with the verified-token cache on and every audit record collected. */
async function cachedRig(options: RigOptions = {}): Promise<Rig & { records: AuditRecord[] }> {
  const records: AuditRecord[] = [];
  const rig = await startRig(cleanup, {
    keyFetch: { maxAgeMs: MAX_AGE, staleIfErrorMs: STALE },
    ...options,
    guard: {
      cache: { maxEntries: 100 },
      audit: { sinks: [createCallbackSink((r) => void records.push(r))] },
    },
  });
  await rig.guard.ready();
  return Object.assign(rig, { records });
}

/** Verifies `token` until the cache serves it, and returns that cached decision. */
async function servedFromCache(rig: Rig, token: string): Promise<Decision> {
  await rig.evaluate(token);
  await rig.evaluate(token);
  const hit = expectAllow(await rig.evaluate(token));
  expect(hit.audit.cacheHit).toBe(true);
  return hit;
}

/** A cached rig and a token it already serves from the cache. */
async function withCachedToken(options: RigOptions = {}) {
  const rig = await cachedRig(options);
  const token = rig.mint();
  await servedFromCache(rig, token);
  return { rig, token };
}

/** Moves past `maxAgeMs` and presents `token`, which starts a refresh behind it; returns both. */
async function presentStale(rig: Rig, token: string) {
  rig.clock.advance(MAX_AGE + 1);
  const refreshed = rig.nextReport();
  const decision = await rig.evaluate(token);
  return { decision, report: await refreshed };
}

async function keyRecords(rig: Rig & { records: AuditRecord[] }): Promise<KeyEvent[]> {
  await rig.guard.flushAudit();
  const records = rig.records.filter((record): record is KeyEvent => record.type === 'key');
  // Every key record is a valid record of the versioned audit schema.
  for (const record of records) expect(auditRecordSchema.parse(record)).toEqual(record);
  return records;
}

describe('a cached verification dies with its key', () => {
  it('K-5: a key the issuer removed stops verifying cached tokens at the refresh that notices', async () => {
    const { rig, token } = await withCachedToken();
    const next = generateTestKey('ES256');
    rig.server.setKeys([next.jwk]);
    // The refresh behind a cache hit: with every request a hit, the key set is still refreshed.
    const { decision, report } = await presentStale(rig, token);
    expect(expectAllow(decision).audit.cacheHit).toBe(true);
    expect(report).toMatchObject({ ok: true, keyCount: 1 });
    const after = expectDeny(await rig.evaluate(token), 'ERR_KEY_NOT_FOUND', 401);
    expect(after.audit.cacheHit).toBe(false);
    // The same answer as a fresh token signed with the removed key.
    expectDeny(await rig.evaluate(rig.mint()), 'ERR_KEY_NOT_FOUND', 401);
    expect(await keyRecords(rig)).toEqual([
      expect.objectContaining({ origin: 'issuer', action: 'added', keyId: next.kid, algorithm: 'ES256' }),
      expect.objectContaining({ origin: 'issuer', action: 'removed', keyId: rig.key.kid, scope: 'key' }),
    ]);
  });

  it('K-5: a rotation refetch (unknown kid) that drops the old key ends its cached tokens too', async () => {
    const { rig, token } = await withCachedToken();
    const next = generateTestKey('ES256');
    rig.server.setKeys([next.jwk]);
    expectAllow(await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now())));
    expect(rig.jwksHits()).toBe(2);
    expectDeny(await rig.evaluate(token), 'ERR_KEY_NOT_FOUND');
  });

  it('K-5: new key material under the same kid ends the tokens the old material verified', async () => {
    const { rig, token } = await withCachedToken();
    const replacement = generateTestKey('ES256', rig.key.kid);
    rig.server.setKeys([replacement.jwk]);
    await presentStale(rig, token);
    expectDeny(await rig.evaluate(token), 'ERR_SIGNATURE_INVALID');
    expectAllow(await rig.evaluate(tokenFor(replacement, rig.issuer, rig.clock.now())));
  });

  it('a routine refresh that publishes the same keys keeps the cached tokens', async () => {
    const { rig, token } = await withCachedToken();
    await presentStale(rig, token);
    expect(expectAllow(await rig.evaluate(token)).audit.cacheHit).toBe(true);
    expect(await keyRecords(rig)).toEqual([]);
  });

  it('K-6: past maxAgeMs + staleIfErrorMs a cached token gets the same 503 as an uncached one', async () => {
    const { rig, token } = await withCachedToken();
    rig.server.setMode('down');
    rig.clock.advance(MAX_AGE + STALE); // at the bound: still served, refreshes failing behind it
    const failed = rig.nextReport();
    expect(expectAllow(await rig.evaluate(token)).audit.cacheHit).toBe(true);
    expect(await failed).toMatchObject({ ok: false, code: 'http-status' });
    rig.clock.advance(1);
    const cached = expectDeny(await rig.evaluate(token), 'ERR_KEYS_UNAVAILABLE', 503);
    const uncached = expectDeny(await rig.evaluate(rig.mint()), 'ERR_KEYS_UNAVAILABLE', 503);
    expect(cached.headers['retry-after']).toBeDefined();
    expect(cached.headers).toEqual(uncached.headers);
    expect(cached.body).toEqual(uncached.body);
    rig.server.setMode('up');
    rig.clock.advance(5000);
    expectAllow(await rig.evaluate(token));
  });
});

describe('guard.keys: the operator withdraws keys', () => {
  it('withdraw(issuer, kid): cached and fresh tokens refused at once, while the issuer still publishes it; restore', async () => {
    const { rig, token } = await withCachedToken();
    const hits = rig.jwksHits();
    rig.guard.keys.withdraw(rig.issuer, rig.key.kid);
    const refused = expectDeny(await rig.evaluate(token), 'ERR_KEY_NOT_FOUND', 401);
    expect(refused.audit.detail).toBe('key lookup: withdrawn');
    expectDeny(await rig.evaluate(rig.mint()), 'ERR_KEY_NOT_FOUND');
    // No kid in the header: the key it would match is withdrawn all the same.
    expectDeny(await rig.evaluate(rig.mint({ header: { kid: undefined } })), 'ERR_KEY_NOT_FOUND');
    // A withdrawn kid never causes a fetch, and a refresh that still finds the key changes nothing.
    expect(rig.jwksHits()).toBe(hits);
    // Without a kid the lookup reaches the (stale) key set, which refreshes behind the request.
    const { decision, report } = await presentStale(rig, rig.mint({ header: { kid: undefined } }));
    expectDeny(decision, 'ERR_KEY_NOT_FOUND');
    expect(report).toMatchObject({ ok: true, keyCount: 1 });
    expectDeny(await rig.evaluate(token), 'ERR_KEY_NOT_FOUND');
    expect(rig.guard.keys.health()[0]?.withdrawn).toEqual({ issuer: false, keyIds: [rig.key.kid] });

    rig.guard.keys.restore(rig.issuer, rig.key.kid);
    expectAllow(await rig.evaluate(token));
    expect(await keyRecords(rig)).toEqual([
      expect.objectContaining({
        type: 'key',
        origin: 'operator',
        action: 'withdrawn',
        scope: 'key',
        issuer: rig.issuer,
        keyId: rig.key.kid,
      }),
      expect.objectContaining({
        type: 'key',
        origin: 'operator',
        action: 'restored',
        scope: 'key',
        keyId: rig.key.kid,
      }),
    ]);
  });

  it('withdrawIssuer: every key, present and future, until restoreIssuer', async () => {
    const { rig, token } = await withCachedToken();
    rig.guard.keys.withdrawIssuer(rig.issuer);
    expectDeny(await rig.evaluate(token), 'ERR_KEY_NOT_FOUND');
    const next = generateTestKey('ES256');
    rig.server.setKeys([rig.key.jwk, next.jwk]);
    rig.clock.advance(30_001);
    expectDeny(await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now())), 'ERR_KEY_NOT_FOUND');
    rig.guard.keys.restoreIssuer(rig.issuer);
    expectAllow(await rig.evaluate(token));
    expectAllow(await rig.evaluate(tokenFor(next, rig.issuer, rig.clock.now())));
    const records = await keyRecords(rig);
    // While the issuer is withdrawn its tokens cause no fetch: the new key is seen after the restore.
    expect(records.map((r) => [r.origin, r.action, r.scope, r.keyId])).toEqual([
      ['operator', 'withdrawn', 'issuer', undefined],
      ['operator', 'restored', 'issuer', undefined],
      ['issuer', 'added', 'key', next.kid],
    ]);
  });

  it('static keys: withdrawal works the same, for keys without a kid through withdrawIssuer', async () => {
    const { guard, mint, evaluateToken, key } = harness();
    const token = mint();
    for (let i = 0; i < 3; i += 1) expectAllow(await evaluateToken(token));
    guard.keys.withdraw('https://idp.test/', key.kid);
    expectDeny(await evaluateToken(token), 'ERR_KEY_NOT_FOUND');
    guard.keys.restore('https://idp.test/', key.kid);
    expectAllow(await evaluateToken(token));
    const publicPem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pem = harness({ issuer: { keys: [publicPem] } });
    const unnamed = pem.mint({ header: { kid: undefined } });
    expectAllow(await pem.evaluateToken(unnamed));
    pem.guard.keys.withdrawIssuer('https://idp.test/');
    expectDeny(await pem.evaluateToken(unnamed), 'ERR_KEY_NOT_FOUND');
  });

  it('refuses an issuer that is not configured and an empty kid, naming the argument', () => {
    const { guard } = harness();
    expect(() => guard.keys.withdraw('https://other.test/', 'k')).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        problems: ['keys.withdraw().issuer: expected a configured issuer'],
      }),
    );
    expect(() => guard.keys.withdraw('https://idp.test/', '')).toThrow(/keys\.withdraw\(\)\.kid/);
    expect(() => guard.keys.withdrawIssuer('')).toThrow(/keys\.withdrawIssuer\(\)\.issuer/);
  });
});

describe('guard.keys.health()', () => {
  it('reports age, last refresh and the last failure with its code and URL', async () => {
    const rig = await startRig(cleanup, { keyFetch: { maxAgeMs: MAX_AGE, staleIfErrorMs: STALE } });
    const [before] = rig.guard.keys.health();
    expect(before).toMatchObject({ issuer: rig.issuer, source: 'remote', state: 'not-loaded', keyCount: 0 });
    const loadedAt = rig.clock.now();
    await rig.guard.ready();
    rig.clock.advance(1000);
    expect(rig.guard.keys.health()[0]).toEqual({
      issuer: rig.issuer,
      source: 'remote',
      state: 'fresh',
      keyCount: 1,
      keyIds: [rig.key.kid],
      jwksUri: rig.server.jwksUri,
      fetchedAt: loadedAt,
      ageMs: 1000,
      usableUntil: loadedAt + MAX_AGE + STALE,
      lastAttemptAt: loadedAt,
      withdrawn: { issuer: false, keyIds: [] },
      uses: ['access-token'],
    });
    rig.server.setMode('down');
    rig.clock.advance(MAX_AGE);
    const failedAt = rig.clock.now();
    const failed = rig.nextReport();
    await rig.evaluate(rig.mint());
    expect(await failed).toMatchObject({
      ok: false,
      code: 'http-status',
      url: rig.server.jwksUri,
      at: failedAt,
    });
    expect(rig.guard.keys.health()[0]).toMatchObject({
      state: 'stale',
      fetchedAt: loadedAt,
      lastAttemptAt: failedAt,
      lastFailure: { at: failedAt, code: 'http-status', message: 'HTTP status 503', url: rig.server.jwksUri },
    });
    rig.clock.advance(STALE);
    expect(rig.guard.keys.health()[0]?.state).toBe('unusable');
  });

  it('a discovery failure names the discovery URL; static issuers are always fresh', async () => {
    const rig = await startRig(cleanup, { discovery: 'openid-configuration' });
    rig.server.setMetadata({ issuer: 'https://someone-else.test/' });
    await expect(rig.guard.ready()).rejects.toThrow(
      /names issuer "https:\/\/someone-else.test\/", not the configured/,
    );
    expect(rig.guard.keys.health()[0]).toMatchObject({
      state: 'unusable',
      lastFailure: { code: 'discovery', url: `${rig.server.url}/.well-known/openid-configuration` },
    });
    expect(harness().guard.keys.health()).toEqual([
      expect.objectContaining({ source: 'static', state: 'fresh', keyCount: 1 }),
    ]);
  });
});
