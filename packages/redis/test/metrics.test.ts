/**
 * Store health as Prometheus gauges (`@nevertrust/redis/prometheus`), read at scrape time from a real
 * redis-server: up while the stores answer, down (and the revocation copy's size kept) once Redis is gone.
 */
import { startRedisServer } from '@nevertrust/testkit';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { redisStoreHealth } from '../src/index.js';
import { registerRedisStoreMetrics } from '../src/prometheus.js';
import { eventually, ISSUER, startInstance } from './support.js';

describe('Redis store metrics', () => {
  it('redis_store_up follows each store; redis_revocation_entries counts the local copy', async () => {
    const server = await startRedisServer();
    const instance = await startInstance(server, 'metrics');
    try {
      const registry = new Registry();
      registerRedisStoreMetrics({ registry, stores: [instance.revocations, instance.counters] });
      await instance.guard.revocation.revokeToken({ issuer: ISSUER, tokenId: 'counted' });
      const up = await registry.metrics();
      expect(up).toContain('nevertrust_redis_store_up{store="revocation"} 1');
      expect(up).toContain('nevertrust_redis_store_up{store="counters"} 1');
      expect(up).toContain('nevertrust_redis_revocation_entries 1');
      await server.kill();
      await eventually(() =>
        redisStoreHealth(instance.revocations, instance.counters).every((h) => !h.ready),
      );
      const down = await registry.metrics();
      expect(down).toContain('nevertrust_redis_store_up{store="revocation"} 0');
      expect(down).toContain('nevertrust_redis_store_up{store="counters"} 0');
      expect(down).toContain('nevertrust_redis_revocation_entries 1');
    } finally {
      await instance.close();
      await server.stop();
    }
  });
});
