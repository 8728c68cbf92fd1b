/**
 * The shared replay stores on a real redis-server: a DPoP proof accepted by one instance is refused as
 * replayed by another (RFC 9449 §11.1, attack #40), entries expire with the proof window, Redis down is a
 * 503 and never an allow, and it recovers; server nonces need no store (D-10: stateless, shared by
 * secret); a logout token's `jti` seen by one instance is a replay on another, and with Redis down the
 * logout endpoint answers 503 (the sender retries) rather than apply a signal it cannot replay-check.
 */
import { createGuard, type Guard, type GuardOptions } from '@nevertrust/core';
import {
  createDpopProof,
  createLogoutTokenIssuer,
  dpopThumbprint,
  generateTestKey,
  requestFacts,
} from '@nevertrust/testkit';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRedisDpopReplayStore,
  createRedisReplayStore,
  type RedisDpopReplayStore,
} from '../src/index.js';
import { AUDIENCE, clientFor, eventually, ISSUER, key, mint, useRedisServer } from './support.js';

const redis = useRedisServer();
const ORIGIN = 'https://api.redis.test';
const NONCE_SECRET = 'a nonce secret shared by every instance, 32+ bytes';
const holder = generateTestKey('ES256', 'dpop-holder');

interface DpopInstance {
  readonly client: Redis;
  readonly replay: RedisDpopReplayStore;
  readonly guard: Guard;
}
const opened: DpopInstance[] = [];
afterEach(async () => {
  for (const instance of opened.splice(0)) {
    await instance.guard.close();
    instance.client.disconnect();
  }
});

/** One API instance with DPoP on and its own connection to the shared Redis. */
async function dpopInstance(prefix: string, dpop: Partial<GuardOptions['dpop']> = {}): Promise<DpopInstance> {
  const client = clientFor(redis.server());
  const replay = createRedisDpopReplayStore({ client, prefix });
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
    dpop: { origin: ORIGIN, ...dpop, replay: { store: replay, timeoutMs: 1000 } },
  });
  await eventually(() => client.status === 'ready');
  const instance = { client, replay, guard };
  opened.push(instance);
  return instance;
}

async function boundToken(): Promise<string> {
  return mint({ claims: { cnf: { jkt: await dpopThumbprint(holder) } } });
}

const proofFor = (token: string, extra: { nonce?: string; iat?: number } = {}) =>
  createDpopProof({ key: holder, htm: 'GET', htu: `${ORIGIN}/orders`, accessToken: token, ...extra });

const call = (instance: DpopInstance, token: string, proof: string) =>
  instance.guard.evaluate(requestFacts({ headers: { authorization: `DPoP ${token}`, dpop: proof } }));

describe('Redis DPoP proof replay store', () => {
  it('#40 (RFC 9449 §11.1): a proof accepted on instance A is refused as replayed on instance B', async () => {
    const a = await dpopInstance('dpop-pair');
    const b = await dpopInstance('dpop-pair');
    const token = await boundToken();
    const proof = proofFor(token);
    expect((await call(a, token, proof)).outcome).toBe('allow');
    const replayed = await call(b, token, proof);
    expect(replayed.outcome).toBe('deny');
    expect(replayed.audit.reason).toBe('ERR_DPOP_PROOF_REPLAYED');
    expect((await call(a, token, proof)).audit.reason).toBe('ERR_DPOP_PROOF_REPLAYED');
    // A fresh proof by the same key still passes on either instance.
    expect((await call(b, token, proofFor(token))).outcome).toBe('allow');
  });

  it('#40: concurrent presentations of one proof on two instances: exactly one is allowed', async () => {
    const a = await dpopInstance('dpop-race');
    const b = await dpopInstance('dpop-race');
    const token = await boundToken();
    for (let round = 0; round < 20; round++) {
      const proof = proofFor(token);
      const outcomes = await Promise.all([a, b, a, b].map((instance) => call(instance, token, proof)));
      expect(outcomes.filter((decision) => decision.outcome === 'allow')).toHaveLength(1);
    }
  });

  it('#40: Redis holds a digest keyed entry that expires with the proof window, never the raw jti', async () => {
    const a = await dpopInstance('dpop-ttl', { maxAgeSeconds: 2 });
    const token = await boundToken();
    const jti = 'a-very-recognisable-proof-id';
    const proof = createDpopProof({
      key: holder,
      htm: 'GET',
      htu: `${ORIGIN}/orders`,
      accessToken: token,
      jti,
    });
    expect((await call(a, token, proof)).outcome).toBe('allow');
    const keys = await a.client.keys('dpop-ttl:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^dpop-ttl:dpop:\{[A-Za-z0-9_-]{43}\}$/);
    expect(keys[0]).not.toContain(jti);
    const ttl = await a.client.pttl(keys[0] as string);
    // iat (now, whole seconds) + maxAgeSeconds + 1: at most 3 s from now, more than 1 s.
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(3000);
    await new Promise((resolve) => setTimeout(resolve, ttl + 50));
    expect(await a.client.exists(keys[0] as string)).toBe(0);
    // By then the proof is too old for the guard itself.
    expect((await call(a, token, proof)).audit.reason).not.toBe('OK');
  });

  it('#40: Redis killed → 503 ERR_DPOP_REPLAY_UNAVAILABLE + Retry-After, never an allow; restarted → recovers', async () => {
    const a = await dpopInstance('dpop-down');
    const b = await dpopInstance('dpop-down');
    const token = await boundToken();
    expect((await call(a, token, proofFor(token))).outcome).toBe('allow');
    await redis.server().kill();
    for (const instance of [a, b, a, b]) {
      const refused = await call(instance, token, proofFor(token));
      if (refused.outcome !== 'deny') expect.fail('allowed while Redis was down');
      expect(refused.audit.reason).toBe('ERR_DPOP_REPLAY_UNAVAILABLE');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
    }
    expect(a.replay.health()).toMatchObject({ store: 'dpop-replay', ready: false, state: 'down' });
    // guard.health() reads the store's own report: the instance is not ready while it cannot check proofs.
    const health = a.guard.health();
    expect(health.ready).toBe(false);
    expect(health.stores.find((store) => store.store === 'dpop-replay')).toMatchObject({
      state: 'failing',
      reported: { ready: false },
    });
    await redis.server().restart();
    await eventually(() => a.client.status === 'ready' && b.client.status === 'ready');
    const proof = proofFor(token);
    expect((await call(b, token, proof)).outcome).toBe('allow');
    expect((await call(a, token, proof)).audit.reason).toBe('ERR_DPOP_PROOF_REPLAYED');
    expect(a.replay.health()).toMatchObject({ ready: true, state: 'live' });
  });

  it('D-10: server nonces need no store — a nonce issued by instance A is accepted by instance B', async () => {
    const nonce = { secrets: [NONCE_SECRET] };
    const a = await dpopInstance('dpop-nonce', { nonce });
    const b = await dpopInstance('dpop-nonce', { nonce });
    const token = await boundToken();
    const challenged = await call(a, token, proofFor(token));
    expect(challenged.audit.reason).toBe('ERR_DPOP_NONCE_REQUIRED');
    const issued = challenged.headers['dpop-nonce'] ?? '';
    expect(issued).toMatch(/^[A-Za-z0-9_-]{39}$/);
    expect((await call(b, token, proofFor(token, { nonce: issued }))).outcome).toBe('allow');
  });
});

describe('Redis replay store of the signal endpoints', () => {
  it('BCL 1.0 §2.6: a jti remembered by one instance is a replay on another until it expires; forget re-admits it', async () => {
    const clients = [clientFor(redis.server()), clientFor(redis.server())];
    try {
      await eventually(() => clients.every((client) => client.status === 'ready'));
      const [a, b] = clients.map((client) => createRedisReplayStore({ client, prefix: 'signals' }));
      if (!a || !b) throw new Error('two stores');
      const now = Date.now() / 1000;
      const id = `${ISSUER}\u0000logout-1`;
      expect(await a.remember(id, now + 1, now)).toBe(true);
      expect(await b.remember(id, now + 1, now)).toBe(false);
      const keys = await clients[0]?.keys('signals:*');
      expect(keys).toEqual([expect.stringMatching(/^signals:signal:\{[A-Za-z0-9_-]{43}\}$/)]);
      await b.forget(id, now);
      expect(await a.remember(id, now + 1, now)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1050));
      expect(await b.remember(id, now + 2, now + 1.05)).toBe(true);
      expect(b.health()).toMatchObject({ store: 'signal-replay', ready: true });
    } finally {
      for (const client of clients) client.disconnect();
    }
  });

  it('BCL 1.0 §2.6: Redis down → the logout endpoint answers 503 + Retry-After (not applied, not a replay); restarted → applied', async () => {
    const client = clientFor(redis.server());
    const guard = createGuard({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
      backChannelLogout: {
        path: '/logout',
        clientIds: ['orders-api'],
        replay: createRedisReplayStore({ client, prefix: 'signals-down' }),
      },
    });
    try {
      await eventually(() => client.status === 'ready');
      const endpoint = guard.signals.find((candidate) => candidate.path === '/logout');
      if (!endpoint) throw new Error('no logout endpoint');
      const logout = createLogoutTokenIssuer({ issuer: ISSUER, clientId: 'orders-api', key })({
        claims: { sub: 'ivy' },
      });
      const deliver = () =>
        endpoint.respond({
          method: 'POST',
          contentType: 'application/x-www-form-urlencoded',
          body: new URLSearchParams({ logout_token: logout }).toString(),
        });
      const token = mint({ claims: { sub: 'ivy', iat: Math.floor(Date.now() / 1000) - 5 } });
      await redis.server().kill();
      const down = await deliver();
      expect(down.status).toBe(503);
      expect(Number(down.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(
        (await guard.evaluate(requestFacts({ headers: { authorization: `Bearer ${token}` } }))).outcome,
      ).toBe('allow');
      await redis.server().restart();
      await eventually(() => client.status === 'ready');
      expect((await deliver()).status).toBe(200);
      expect((await deliver()).status).toBe(400);
      const after = await guard.evaluate(requestFacts({ headers: { authorization: `Bearer ${token}` } }));
      expect(after.audit.reason).toBe('ERR_TOKEN_REVOKED');
    } finally {
      await guard.close();
      client.disconnect();
    }
  });
});
