/**
 * Many instances behind one load balancer, over real HTTP: an Express, a Koa and a Fastify instance of the
 * same API, each with its own ioredis connections, sharing one real redis-server through
 * `@nevertrust/redis`, called round-robin. A revocation on one is refused by all on the next request
 * (checklist A10, A11); a per-user limit holds to the exact count across them; a detector sees every
 * instance's requests; Redis killed mid-load gives 503 + Retry-After, never a 500 and never an allow of a
 * revoked token, and service resumes by itself when Redis returns. A back-channel logout delivered to one
 * instance cuts the user off on all of them, and its replay to another is recognised (shared replay store).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AuditRecord,
  createCallbackSink,
  createGuard,
  type Guard,
  type GuardOptions,
  requireScopes,
} from '@nevertrust/core';
import {
  createRedisCounterStore,
  createRedisReplayStore,
  createRedisRevocationStore,
  REDIS_CLIENT_OPTIONS,
  type RedisRevocationStore,
} from '@nevertrust/redis';
import {
  createLogoutTokenIssuer,
  createTokenIssuer,
  generateTestKey,
  type RedisServer,
  startRedisServer,
} from '@nevertrust/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS, type Framework } from './apps.js';
import { fleetApp } from './fleet-app.js';

const ISSUER = 'https://idp.many-instances.conformance/';
const AUDIENCE = 'https://api.many-instances.conformance';
const key = generateTestKey('ES256', 'many-instances');
const mint = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key });
const LOGOUT = '/oidc/backchannel-logout';
const LOGOUT_CLIENT = 'orders-api';
const logoutToken = createLogoutTokenIssuer({ issuer: ISSUER, clientId: LOGOUT_CLIENT, key });

interface Instance {
  readonly framework: Framework;
  readonly port: number;
  readonly guard: Guard;
  readonly revocations: RedisRevocationStore;
  readonly records: AuditRecord[];
  /** Requests a handler answered. */
  ran: number;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
}

let redis: RedisServer;
let prefixes = 0;
const running: Instance[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.close()));
});

/** Guard options of each instance, or a function of its own Redis client giving them. */
type FleetOptions = Partial<GuardOptions> | ((client: Redis, prefix: string) => Partial<GuardOptions>);

/** Starts one instance per framework, sharing one deployment prefix on the one Redis. */
async function startFleet(fleetOptions: FleetOptions = {}): Promise<Instance[]> {
  prefixes += 1;
  const prefix = `fleet-${prefixes}`;
  return Promise.all(
    FRAMEWORKS.map(async (framework) => {
      const client = new Redis({
        host: '127.0.0.1',
        port: redis.port,
        ...REDIS_CLIENT_OPTIONS,
        retryStrategy: () => 50,
      });
      const revocations = createRedisRevocationStore({
        client,
        prefix,
        heartbeatMs: 50,
        staleAfterMs: 300,
        // Every instance is in this one process: a revocation resolves once all of them refuse.
        awaitBound: true,
      });
      const counters = createRedisCounterStore({ client, prefix, heartbeatMs: 50, staleAfterMs: 300 });
      const options = typeof fleetOptions === 'function' ? fleetOptions(client, prefix) : fleetOptions;
      const records: AuditRecord[] = [];
      const guard = createGuard({
        issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
        policy: {
          routes: [{ method: 'GET', path: '/api/orders', requirement: requireScopes('orders:read') }],
        },
        revocation: { store: revocations },
        counterStore: counters,
        audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
        ...options,
      });
      const state = { ran: 0 };
      const app = await fleetApp(framework, guard, state);
      const server: Server = createServer(app.handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const instance: Instance = {
        framework,
        port: (server.address() as AddressInfo).port,
        guard,
        revocations,
        records,
        get ran() {
          return state.ran;
        },
        async close() {
          await app.close();
          await new Promise((resolve) => server.close(resolve));
          await guard.close();
          await revocations.close();
          await counters.close();
          client.disconnect();
        },
      };
      running.push(instance);
      const started = performance.now();
      while (!(revocations.health().ready && counters.health().ready)) {
        if (performance.now() - started > 5000) throw new Error('shared stores not live');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return instance;
    }),
  );
}

function call(instance: Instance, token: string, peer = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: instance.port,
        path: '/api/orders',
        headers: { authorization: `Bearer ${token}`, connection: 'close' },
        localAddress: peer,
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A back-channel logout delivery (BCL 1.0 §2.5) to one instance: the status it answers. */
function postLogout(instance: Instance, token: string): Promise<number> {
  const body = new URLSearchParams({ logout_token: token }).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: instance.port,
        path: LOGOUT,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The round-robin load balancer in front of the fleet. */
function roundRobin(fleet: readonly Instance[]) {
  let next = 0;
  return (token: string, peer?: string) => {
    const instance = fleet[next % fleet.length] as Instance;
    next += 1;
    return call(instance, token, peer);
  };
}

const lastReason = async (instance: Instance) => {
  await instance.guard.flushAudit(2000);
  const decisions = instance.records.filter((record) => record.type === 'decision');
  return decisions[decisions.length - 1]?.reason;
};

describe('many instances sharing one Redis (express, koa, fastify)', () => {
  it('A10: a jti revoked on one instance is refused by every instance on its next request; delay measured', async () => {
    const fleet = await startFleet();
    const jti = 'revoked-across-the-fleet';
    const token = mint({ claims: { scope: 'orders:read', jti } });
    for (const instance of fleet) expect((await call(instance, token)).status).toBe(200);
    const [first] = fleet as [Instance];
    const started = performance.now();
    await first.guard.revocation.revokeToken({ issuer: ISSUER, tokenId: jti });
    const revokedAfter = performance.now() - started;
    const ranBefore = fleet.map((instance) => instance.ran);
    for (const instance of fleet) {
      const reply = await call(instance, token);
      expect(reply.status, instance.framework).toBe(401);
      expect(String(reply.headers['www-authenticate'])).toContain('error="invalid_token"');
      expect(await lastReason(instance)).toBe('ERR_TOKEN_REVOKED');
    }
    expect(fleet.map((instance) => instance.ran)).toEqual(ranBefore);
    const elsewhere = performance.now() - started;
    console.log(
      `revoke on ${first.framework} resolved in ${revokedAfter.toFixed(2)} ms; all three refused within ${elsewhere.toFixed(1)} ms (three sequential HTTP requests)`,
    );
  });

  it('A11: a subject cut-off on one instance is enforced by the others', async () => {
    const fleet = await startFleet();
    const token = mint({
      claims: { scope: 'orders:read', sub: 'mallory', iat: Math.floor(Date.now() / 1000) - 5 },
    });
    const next = roundRobin(fleet);
    expect((await next(token)).status).toBe(200);
    await (fleet[2] as Instance).guard.revocation.revokeSubject({ issuer: ISSUER, subject: 'mallory' });
    for (let index = 0; index < 3; index += 1) expect((await next(token)).status).toBe(401);
  });

  it('A10: a back-channel logout delivered to one instance makes every instance refuse the user; its replay to another is refused', async () => {
    const fleet = await startFleet((client, prefix) => ({
      backChannelLogout: {
        path: LOGOUT,
        clientIds: [LOGOUT_CLIENT],
        replay: createRedisReplayStore({ client, prefix }),
      },
    }));
    const now = Math.floor(Date.now() / 1000);
    const token = mint({ claims: { scope: 'orders:read', sub: 'signed-out', iat: now - 5 } });
    const bystander = mint({ claims: { scope: 'orders:read', sub: 'still-in', iat: now - 5 } });
    for (const instance of fleet) expect((await call(instance, token)).status).toBe(200);
    const [express, koa, fastify] = fleet as [Instance, Instance, Instance];
    const logout = logoutToken({ claims: { sub: 'signed-out' } });
    expect(await postLogout(koa, logout)).toBe(200);
    const ranBefore = fleet.map((instance) => instance.ran);
    for (const instance of fleet) {
      expect((await call(instance, token)).status, instance.framework).toBe(401);
      expect(await lastReason(instance)).toBe('ERR_TOKEN_REVOKED');
    }
    expect(fleet.map((instance) => instance.ran)).toEqual(ranBefore);
    for (const instance of fleet) expect((await call(instance, bystander)).status).toBe(200);
    // The same logout token replayed to the other instances: its jti is known there (shared replay store).
    expect(await postLogout(express, logout)).toBe(400);
    expect(await postLogout(fastify, logout)).toBe(400);
    await fastify.guard.flushAudit(2000);
    const signals = fastify.records.filter((record) => record.type === 'signal');
    expect(signals.at(-1)).toMatchObject({ reason: 'ERR_SIGNAL_REPLAY' });
  });

  it('M-1: a per-user limit of 20 per 30 s lets exactly 20 of 45 requests through across three instances', async () => {
    const fleet = await startFleet({ rateLimits: [{ by: 'principal', limit: 20, windowSeconds: 30 }] });
    const next = roundRobin(fleet);
    const token = mint({ claims: { scope: 'orders:read', sub: 'busy-user' } });
    const replies = await Promise.all(Array.from({ length: 45 }, () => next(token)));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(20);
    const limited = replies.filter((reply) => reply.status === 429);
    expect(limited).toHaveLength(25);
    expect(limited.every((reply) => Number(reply.headers['retry-after']) >= 1)).toBe(true);
    expect(fleet.reduce((sum, instance) => sum + instance.ran, 0)).toBe(20);
  });

  it('M-3: token-spread sees peers that reached different instances, and the block holds on all', async () => {
    const fleet = await startFleet({ detectors: { tokenSpread: { threshold: 3, blockSeconds: 60 } } });
    const next = roundRobin(fleet);
    const token = mint({ claims: { scope: 'orders:read' } });
    expect((await next(token, '127.0.0.2')).status).toBe(200);
    expect((await next(token, '127.0.0.3')).status).toBe(200);
    // The third distinct peer (on the third instance) trips the detector, which suspends the token.
    expect((await next(token, '127.0.0.4')).status).toBe(401);
    for (const instance of fleet) {
      expect((await call(instance, token, '127.0.0.2')).status).toBe(401);
      expect(await lastReason(instance)).toBe('ERR_TOKEN_SUSPENDED');
    }
  });

  it('A10: Redis killed mid-load → 503 + Retry-After, no 500, no allow of a revoked token; restarted → service resumes', async () => {
    const fleet = await startFleet({ rateLimits: [{ by: 'principal', limit: 100_000, windowSeconds: 60 }] });
    const next = roundRobin(fleet);
    const valid = mint({ claims: { scope: 'orders:read' } });
    const revoked = mint({ claims: { scope: 'orders:read', jti: 'revoked-before-the-crash' } });
    await (fleet[1] as Instance).guard.revocation.revokeToken({
      issuer: ISSUER,
      tokenId: 'revoked-before-the-crash',
    });
    const seen = { valid: new Map<number, number>(), revoked: new Map<number, number>() };
    const count = (map: Map<number, number>, status: number) => map.set(status, (map.get(status) ?? 0) + 1);
    const run = { phase: 'before' as 'before' | 'down' | 'after' };
    let allowedAfter = 0;
    const loadUntil = performance.now() + 3000;
    const load = (async () => {
      while (performance.now() < loadUntil) {
        const [good, bad] = await Promise.all([next(valid), next(revoked)]);
        count(seen.valid, good.status);
        count(seen.revoked, bad.status);
        for (const reply of [good, bad])
          if (reply.status === 503) expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        if (run.phase === 'after' && good.status === 200) allowedAfter += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.kill();
    run.phase = 'down';
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.restart();
    run.phase = 'after';
    await load;
    console.log(
      `under load with Redis killed for 1 s: valid ${JSON.stringify([...seen.valid])}, revoked ${JSON.stringify([...seen.revoked])}`,
    );
    expect(seen.revoked.get(200) ?? 0).toBe(0);
    expect(seen.valid.get(500) ?? 0).toBe(0);
    expect(seen.revoked.get(500) ?? 0).toBe(0);
    expect(seen.valid.get(503) ?? 0).toBeGreaterThan(0);
    expect(allowedAfter).toBeGreaterThan(0);
    for (const instance of fleet) expect(instance.revocations.health().ready).toBe(true);
    for (const instance of fleet) expect((await call(instance, revoked)).status).toBe(401);
  });
});
