/**
 * docs/operations.md stays in step with the metrics: the sample Grafana dashboard is valid JSON, and every
 * metric it or the documentation names is one the Prometheus recorder exports.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../src/index.js';

const operations = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'operations.md'),
  'utf8',
);

async function exportedSeries(): Promise<Set<string>> {
  const { registry } = createPrometheusMetrics({ registry: new Registry() });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    }
  }
  return names;
}

describe('docs/operations.md', () => {
  it('holds a Grafana dashboard that parses and queries only exported metrics', async () => {
    const block = /```json\n(\{\n {2}"title": "nevertrust"[\s\S]*?)\n```/.exec(operations)?.[1];
    expect(block, 'dashboard JSON block').toBeDefined();
    const dashboard = JSON.parse(block as string) as { panels: { targets: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(6);
    const series = await exportedSeries();
    const queried = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => [...target.expr.matchAll(/nevertrust_[a-z_]+/g)].map((m) => m[0])),
    );
    expect(queried.length).toBeGreaterThan(0);
    for (const name of queried) expect(series.has(name), name).toBe(true);
  });

  it('names only metrics that exist, and documents every one', async () => {
    const series = await exportedSeries();
    const named = new Set([...operations.matchAll(/nevertrust_[a-z_]+/g)].map((match) => match[0]));
    for (const name of named) expect(series.has(name), name).toBe(true);
    const { registry } = createPrometheusMetrics({ registry: new Registry() });
    for (const metric of await registry.getMetricsAsJSON()) {
      expect(operations, metric.name).toContain(`\`${metric.name}\``);
    }
  });
});
