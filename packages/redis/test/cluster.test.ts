/**
 * The stores on a real three-node Redis Cluster (three `redis-server --cluster-enabled yes`): the
 * revocation list under its `{prefix}` hash tag, its channel delivered across nodes, the counters spread
 * over slots, and one script per call without a CROSSSLOT error (checklist A10, A11).
 */
import { createGuard, type Guard } from '@nevertrust/core';
import type { RevocationQuery } from '@nevertrust/core/policy';
import { bearer, type RedisCluster, startRedisCluster } from '@nevertrust/testkit';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisCounterStore,
  createRedisRevocationStore,
  REDIS_CLIENT_OPTIONS,
  type RedisCounterStore,
  type RedisRevocationStore,
} from '../src/index.js';
import { AUDIENCE, eventually, ISSUER, key, mint } from './support.js';

interface ClusterInstance {
  readonly client: Cluster;
  readonly revocations: RedisRevocationStore;
  readonly counters: RedisCounterStore;
  readonly guard: Guard;
}

let cluster: RedisCluster;
const instances: ClusterInstance[] = [];
beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterAll(async () => {
  for (const instance of instances) {
    await instance.guard.close();
    await instance.revocations.close();
    await instance.counters.close();
    instance.client.disconnect();
  }
  await cluster?.stop();
});

async function start(prefix: string): Promise<ClusterInstance> {
  const { enableOfflineQueue, ...perNode } = REDIS_CLIENT_OPTIONS;
  const client = new Cluster(
    cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
    { enableOfflineQueue, redisOptions: perNode },
  );
  const timing = { heartbeatMs: 50, staleAfterMs: 300 };
  const revocations = createRedisRevocationStore({ client, prefix, ...timing });
  const counters = createRedisCounterStore({ client, prefix, ...timing });
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
    revocation: { store: revocations },
    counterStore: counters,
    rateLimits: [{ by: 'principal', limit: 20, windowSeconds: 30 }],
  });
  const instance = { client, revocations, counters, guard };
  instances.push(instance);
  await eventually(() => revocations.health().ready && counters.health().ready, 10_000);
  return instance;
}

/**
 * Whether an instance's store now refuses the query: it holds the entry, or it no longer trusts its copy
 * and rejects (the guard's 503) — both within the propagation bound.
 */
function refuses(instance: ClusterInstance, query: RevocationQuery): Promise<boolean> {
  return Promise.resolve(instance.revocations.find(query, Date.now() / 1000)).then(
    (entry) => entry !== undefined,
    () => true,
  );
}

describe('Redis stores on a Redis Cluster', () => {
  it('A10: a revocation on one instance is refused by another within the propagation bound (staleAfterMs)', async () => {
    const a = await start('cluster');
    const b = await start('cluster');
    const token = mint({ claims: { jti: 'cluster-jti' } });
    expect((await b.guard.evaluate(bearer(token))).outcome).toBe('allow');
    await a.guard.revocation.revokeToken({ issuer: ISSUER, tokenId: 'cluster-jti' });
    // Usually the very next check; never later than staleAfterMs (300 ms here), after which an instance
    // that has not heard from Redis refuses everything instead.
    const query = {
      issuer: ISSUER,
      tokenId: 'cluster-jti',
      subject: 'user-1',
      clientId: 'c',
      issuedAt: Date.now() / 1000,
    };
    await eventually(() => refuses(b, query), 300);
    expect(['ERR_TOKEN_REVOKED', 'ERR_REVOCATION_UNAVAILABLE']).toContain(
      (await b.guard.evaluate(bearer(token))).audit.reason,
    );
    await b.guard.revocation.revokeSubject({ issuer: ISSUER, subject: 'cluster-user' });
    const earlier = Math.floor(Date.now() / 1000) - 5;
    const cut = mint({ claims: { sub: 'cluster-user', iat: earlier } });
    const subjectQuery = {
      issuer: ISSUER,
      tokenId: undefined,
      subject: 'cluster-user',
      clientId: 'c',
      issuedAt: earlier,
    };
    await eventually(() => refuses(a, subjectQuery), 300);
    expect(['ERR_TOKEN_REVOKED', 'ERR_REVOCATION_UNAVAILABLE']).toContain(
      (await a.guard.evaluate(bearer(cut))).audit.reason,
    );
  });

  it('M-1: counters spread over the slots stay exact: 20 of 40 concurrent requests across two instances', async () => {
    const a = await start('cluster-limits');
    const b = await start('cluster-limits');
    const users = Array.from({ length: 5 }, (_, index) => mint({ claims: { sub: `spread-${index}` } }));
    for (const token of users) {
      const decisions = await Promise.all(
        Array.from({ length: 40 }, (_, index) => (index % 2 ? a : b).guard.evaluate(bearer(token))),
      );
      expect(decisions.filter((decision) => decision.outcome === 'allow')).toHaveLength(20);
    }
    // The five principals' counters landed on more than one node.
    const owners = new Set<string>();
    for (const node of a.client.nodes('master'))
      if ((await node.dbsize()) > 0) owners.add(String(node.options.port));
    expect(owners.size).toBeGreaterThan(1);
  });
});
