/**
 * Redis down, hung or slow, on a real redis-server: the guard refuses with 503, `Retry-After` and the
 * store's stable code within a bounded time — never a 500, never an allow of a token whose revocation
 * status it cannot know (checklist A10) — and recovers by itself when Redis returns, revocations included
 * even though the restarted server came back empty.
 */
import type { Decision } from '@nevertrust/core';
import { bearer, type RedisServer, startRedisServer } from '@nevertrust/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisCounterStore, createRedisRevocationStore } from '../src/index.js';
import { clientFor, eventually, type Instance, ISSUER, mint, startInstance } from './support.js';

const servers: RedisServer[] = [];
const instances: Instance[] = [];
afterEach(async () => {
  await Promise.all(instances.splice(0).map((instance) => instance.close()));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function setUp(
  prefix: string,
  options = {},
): Promise<{ server: RedisServer; a: Instance; b: Instance }> {
  const server = await startRedisServer();
  servers.push(server);
  const a = await startInstance(server, prefix, options);
  const b = await startInstance(server, prefix, options);
  instances.push(a, b);
  return { server, a, b };
}

/** Evaluates and measures; every refusal here must be a 503 with Retry-After and the given code. */
async function timed(instance: Instance, token: string): Promise<{ decision: Decision; ms: number }> {
  const started = performance.now();
  const decision = await instance.guard.evaluate(bearer(token));
  return { decision, ms: performance.now() - started };
}

function expectUnavailable(decision: Decision, codes: readonly string[]) {
  if (decision.outcome !== 'deny') throw new Error(`expected a refusal, got ${decision.outcome}`);
  expect(decision.status).toBe(503);
  expect(codes).toContain(decision.audit.reason);
  expect(decision.headers['retry-after']).toBe('5');
}

describe('Redis store faults', () => {
  it('A10: Redis killed → 503 ERR_REVOCATION_UNAVAILABLE on every instance, never an allow; restarted → recovers, revocations kept', async () => {
    const { server, a, b } = await setUp('killed');
    await a.guard.revocation.revokeToken({ issuer: ISSUER, tokenId: 'before-crash' });
    const revoked = mint({ claims: { jti: 'before-crash' } });
    const valid = mint();
    expect((await b.guard.evaluate(bearer(valid))).outcome).toBe('allow');
    await server.kill();
    for (const instance of [a, b]) {
      await eventually(() => !instance.revocations.health().ready, 2000);
      for (const token of [valid, revoked]) {
        const { decision, ms } = await timed(instance, token);
        expectUnavailable(decision, ['ERR_REVOCATION_UNAVAILABLE']);
        expect(ms).toBeLessThan(1000);
      }
    }
    expect(a.revocations.health()).toMatchObject({ ready: false, state: 'down' });
    // The guard's readiness answer carries what the store says of itself.
    expect(a.guard.health()).toMatchObject({
      ready: false,
      stores: expect.arrayContaining([
        expect.objectContaining({
          store: 'revocation',
          state: 'failing',
          reported: expect.objectContaining({ state: 'down' }),
        }),
      ]),
    });
    // Revoking while Redis is away fails loudly rather than pretending.
    await expect(a.guard.revocation.revokeToken({ issuer: ISSUER, tokenId: 'during' })).rejects.toThrow();
    await server.restart();
    const recovery = await eventually(
      () => a.revocations.health().ready && b.revocations.health().ready,
      10_000,
    );
    console.log(`recovered ${recovery.toFixed(0)} ms after redis-server restarted`);
    expect((await a.guard.evaluate(bearer(valid))).outcome).toBe('allow');
    expect(a.guard.health().stores.find((store) => store.store === 'revocation')?.reported).toMatchObject({
      ready: true,
    });
    // The restarted server was empty: the instances wrote back what they held.
    expect((await b.guard.evaluate(bearer(revoked))).audit.reason).toBe('ERR_TOKEN_REVOKED');
    const fresh = await startInstance(server, 'killed');
    instances.push(fresh);
    expect((await fresh.guard.evaluate(bearer(revoked))).audit.reason).toBe('ERR_TOKEN_REVOKED');
  });

  it('A10: Redis hung (SIGSTOP) → 503 within the bounds, never a hang; thawed → recovers', async () => {
    const { server, a } = await setUp('frozen', {
      rateLimits: [{ by: 'principal', limit: 1000, windowSeconds: 60 }],
    });
    const token = mint();
    expect((await a.guard.evaluate(bearer(token))).outcome).toBe('allow');
    server.freeze();
    try {
      // Right away: the view is still fresh, so the counters' commandTimeout (500 ms) answers first.
      const first = await timed(a, token);
      expectUnavailable(first.decision, ['ERR_LIMITS_UNAVAILABLE', 'ERR_REVOCATION_UNAVAILABLE']);
      expect(first.ms).toBeLessThan(1100);
      // Once the last ping is older than staleAfterMs (300 ms here), the view itself refuses; the
      // counters are still asked about the refusal (refused requests count) and time out after 500 ms.
      await eventually(() => !a.revocations.health().ready, 2000);
      const later = await timed(a, token);
      expectUnavailable(later.decision, ['ERR_REVOCATION_UNAVAILABLE']);
      expect(later.ms).toBeLessThan(1100);
    } finally {
      server.thaw();
    }
    await eventually(() => a.revocations.health().ready, 10_000);
    expect((await a.guard.evaluate(bearer(token))).outcome).toBe('allow');
  });

  it('slow Redis (CLIENT PAUSE 1500) → bounded by commandTimeout → 503, then allow again', async () => {
    const { server, a } = await setUp('paused', {
      rateLimits: [{ by: 'principal', limit: 1000, windowSeconds: 60 }],
    });
    const token = mint();
    expect((await a.guard.evaluate(bearer(token))).outcome).toBe('allow');
    const admin = new Redis({ host: '127.0.0.1', port: server.port });
    try {
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const { decision, ms } = await timed(a, token);
      expectUnavailable(decision, ['ERR_LIMITS_UNAVAILABLE', 'ERR_REVOCATION_UNAVAILABLE']);
      expect(ms).toBeLessThan(1100);
      await eventually(() => a.revocations.health().ready, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await a.guard.evaluate(bearer(token))).outcome).toBe('allow');
      expect(a.counters.health().ready).toBe(true);
    } finally {
      admin.disconnect();
    }
  });

  it('counterStoreFaults.failOpen lets requests through when only the counters are down; revocation never fails open', async () => {
    const healthy = await startRedisServer();
    const counterServer = await startRedisServer();
    servers.push(healthy, counterServer);
    const options = { rateLimits: [{ by: 'principal' as const, limit: 1000, windowSeconds: 60 }] };
    const open = await startInstance(healthy, 'open', {
      ...options,
      counterStore: createRedisCounterStore({ client: clientFor(counterServer), prefix: 'open' }),
      counterStoreFaults: { failOpen: true, timeoutMs: 1000 },
    });
    const closed = await startInstance(healthy, 'closed', {
      ...options,
      counterStore: createRedisCounterStore({ client: clientFor(counterServer), prefix: 'closed' }),
    });
    instances.push(open, closed);
    await counterServer.kill();
    const token = mint();
    expect((await open.guard.evaluate(bearer(token))).outcome).toBe('allow');
    expectUnavailable(await closed.guard.evaluate(bearer(token)), ['ERR_LIMITS_UNAVAILABLE']);
    await healthy.kill();
    await eventually(() => !open.revocations.health().ready, 2000);
    expectUnavailable(await open.guard.evaluate(bearer(token)), ['ERR_REVOCATION_UNAVAILABLE']);
  });

  it('a client that could hang or queue without bound is refused at start-up, naming the option', () => {
    const lax = new Redis({ lazyConnect: true });
    const unbounded = new Redis({ lazyConnect: true, commandTimeout: 500, maxRetriesPerRequest: null });
    try {
      expect(() => createRedisRevocationStore({ client: lax, prefix: 'p' })).toThrow(/commandTimeout/);
      expect(() => createRedisCounterStore({ client: unbounded, prefix: 'p' })).toThrow(/enableOfflineQueue/);
      const safe = new Redis({ lazyConnect: true, commandTimeout: 500, enableOfflineQueue: false });
      expect(() => createRedisCounterStore({ client: safe, prefix: '{bad}' })).toThrow(/prefix/);
      expect(() =>
        createRedisRevocationStore({ client: safe, prefix: 'p', heartbeatMs: 500, staleAfterMs: 600 }),
      ).toThrow(/staleAfterMs/);
      expect(() => createRedisCounterStore({ client: {} as Redis, prefix: 'p' })).toThrow(/client/);
    } finally {
      lax.disconnect();
      unbounded.disconnect();
    }
  });
});
