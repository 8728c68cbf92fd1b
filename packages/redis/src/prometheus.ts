/**
 * `@nevertrust/redis/prometheus` — store health as Prometheus gauges, read at scrape time through
 * `prom-client` (an optional peer dependency: only this entry imports it). Store faults themselves are
 * already counted by `@nevertrust/prometheus` (`store_faults_total`).
 *
 * @packageDocumentation
 */
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import type { HealthReporting } from './health.js';

/** Options of {@link registerRedisStoreMetrics}. */
export interface RedisStoreMetricsOptions {
  readonly registry: Registry;
  readonly stores: readonly HealthReporting[];
  /** Metric name prefix. Default `nevertrust_`. */
  readonly prefix?: string;
}

/**
 * Registers `<prefix>redis_store_up{store}` (1 when the store answers requests now) and
 * `<prefix>redis_revocation_entries` (entries in this instance's copy of the deny-list).
 *
 * @example
 * ```ts
 * const metrics = createPrometheusMetrics();
 * registerRedisStoreMetrics({ registry: metrics.registry, stores: [revocations, counters] });
 * ```
 */
export function registerRedisStoreMetrics(options: RedisStoreMetricsOptions): void {
  const prefix = options.prefix ?? 'nevertrust_';
  const registers = [options.registry];
  const { stores } = options;
  new Gauge({
    name: `${prefix}redis_store_up`,
    help: 'Whether a Redis-backed store answers requests now (0: the guard refuses with 503).',
    labelNames: ['store'] as const,
    registers,
    collect() {
      for (const health of stores.map((store) => store.health()))
        this.set({ store: health.store }, health.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: `${prefix}redis_revocation_entries`,
    help: "Live entries in this instance's copy of the shared revocation list.",
    registers,
    collect() {
      let entries = 0;
      for (const health of stores.map((store) => store.health()))
        if (health.store === 'revocation') entries += health.entries ?? 0;
      this.set(entries);
    },
  });
}
