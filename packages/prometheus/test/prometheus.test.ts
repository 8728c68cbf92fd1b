/**
 * Prometheus metrics scraped from a real `/metrics` endpoint over HTTP, fed by a real guard fetching its
 * keys from a real HTTPS key server: decisions by outcome and reason, verification latency, cache hits
 * and misses, key fetches and failures, dropped audit records, detector firings — with bounded labels.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuditSink, createGuard } from '@nevertrust/core';
import {
  bearer,
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  startKeyServer,
} from '@nevertrust/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../src/index.js';

const AUDIENCE = 'https://api.prometheus.test';
const key = generateTestKey('ES256', 'prom');
let keyServer: KeyServer;
let metricsServer: Server;
let metricsUrl: string;
const metrics = createPrometheusMetrics();

beforeAll(async () => {
  keyServer = await startKeyServer({ keys: [key.jwk] });
  metricsServer = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then((text) => {
      response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
    });
  });
  await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
  metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;
});

afterAll(async () => {
  await keyServer.close();
  await new Promise((resolve) => metricsServer.close(resolve));
});

/** Scrapes the endpoint and returns `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

describe('Prometheus metrics on a real /metrics endpoint', () => {
  it('counts decisions, latency, cache, key fetches, dropped audit records and detections', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stuck: AuditSink = { name: 'stuck', write: () => gate };
    const guard = createGuard({
      issuers: [{ issuer: keyServer.url, audience: AUDIENCE, jwksUri: keyServer.jwksUri }],
      keyFetch: { ca: keyServer.ca as string },
      metrics: [metrics],
      audit: { sinks: [stuck], queueSize: 1 },
      detectors: { authFailureBurst: { threshold: 2, windowSeconds: 60 } },
    });
    const mint = createTokenIssuer({ issuer: keyServer.url, audience: AUDIENCE, key });
    const token = mint();
    const orders = { routeId: '/orders/:id', target: '/orders/12345' };
    // Three times: the cache admits a token on its second verification, so the third is a hit.
    for (let index = 0; index < 3; index += 1)
      expect((await guard.evaluate(bearer(token, orders))).outcome).toBe('allow');
    await guard.evaluate(bearer('', { ...orders, headers: {} }));
    await guard.evaluate(bearer(`${token.slice(0, -4)}AAAA`, orders));
    await guard.evaluate(bearer(`${token.slice(0, -4)}AAAQ`, orders));

    // A second guard whose issuer's key server is unreachable: a failed fetch.
    const down = createGuard({
      issuers: [{ issuer: 'http://127.0.0.1:9/', audience: AUDIENCE, jwksUri: 'http://127.0.0.1:9/jwks' }],
      keyFetch: { timeoutMs: 2000 },
      metrics: [metrics],
    });
    await expect(down.ready()).rejects.toThrow();

    const samples = await scrape();
    const route = 'route="/orders/:id"';
    expect(samples.get(`nevertrust_decisions_total{outcome="allow",reason="OK",${route}}`)).toBe(3);
    expect(
      samples.get(`nevertrust_decisions_total{outcome="deny",reason="ERR_SIGNATURE_INVALID",${route}}`),
    ).toBe(2);
    expect(samples.get(`nevertrust_token_cache_lookups_total{result="hit"}`)).toBe(1);
    expect(samples.get(`nevertrust_token_cache_lookups_total{result="miss"}`)).toBe(4);
    expect(samples.get(`nevertrust_verification_duration_seconds_count{outcome="allow",cache="hit"}`)).toBe(
      1,
    );
    expect(
      samples.get(`nevertrust_verification_duration_seconds_bucket{le="+Inf",outcome="allow",cache="miss"}`),
    ).toBe(2);
    expect(samples.get(`nevertrust_key_fetches_total{issuer="${keyServer.url}",result="success"}`)).toBe(1);
    expect(samples.get(`nevertrust_key_fetches_total{issuer="http://127.0.0.1:9/",result="failure"}`)).toBe(
      1,
    );
    expect(samples.get(`nevertrust_key_fetch_failures_total{issuer="http://127.0.0.1:9/"}`)).toBe(1);
    // The stuck sink took one record; the other five (and the detection) were dropped and counted.
    expect(samples.get(`nevertrust_audit_records_dropped_total{sink="stuck",reason="queue_full"}`)).toBe(6);
    expect(samples.get(`nevertrust_detections_total{detector="auth-failure-burst",action="report"}`)).toBe(1);
    // Raw paths never become label values.
    expect([...samples.keys()].some((name) => name.includes('12345'))).toBe(false);
    release();
    await Promise.all([guard.close(), down.close()]);
  });

  it('K-6: key-set health as timestamps and key count per issuer; key changes by origin and action', async () => {
    const own = createPrometheusMetrics({ registry: new Registry() });
    let now = 1_750_000_000_000;
    const guard = createGuard({
      issuers: [{ issuer: keyServer.url, audience: AUDIENCE, jwksUri: keyServer.jwksUri }],
      keyFetch: { ca: keyServer.ca as string, maxAgeMs: 60_000 },
      clock: () => now,
      metrics: [own],
    });
    await guard.ready();
    guard.keys.withdraw(keyServer.url, key.kid);
    guard.keys.restore(keyServer.url, key.kid);
    keyServer.setMode('down');
    now += 61_000;
    await expect(guard.ready()).resolves.toBeUndefined(); // stale keys still serve
    keyServer.setMode('up');
    const text = await own.registry.metrics();
    const value = (series: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(`${series} `))
          ?.split(' ')[1],
      );
    const issuer = `issuer="${keyServer.url}"`;
    expect(value(`nevertrust_key_set_last_success_timestamp_seconds{${issuer}}`)).toBe(1_750_000_000);
    expect(value(`nevertrust_key_set_last_failure_timestamp_seconds{${issuer},code="http-status"}`)).toBe(
      1_750_000_061,
    );
    expect(value(`nevertrust_key_set_keys{${issuer}}`)).toBe(1);
    for (const action of ['withdrawn', 'restored'])
      expect(value(`nevertrust_key_changes_total{${issuer},origin="operator",action="${action}"}`)).toBe(1);
    await guard.close();
  });

  it('K-9: counts members of a fetched key set refused by key hygiene, by issuer and rule', async () => {
    const own = createPrometheusMetrics({ registry: new Registry() });
    const weak = await startKeyServer({
      keys: [
        key.jwk,
        { ...generateTestKey('RS256').jwk, kid: 'e3', e: 'Aw' },
        { ...generateTestKey('ES256').jwk, kid: 'enc', use: 'enc' },
      ],
    });
    const guard = createGuard({
      issuers: [{ issuer: weak.url, audience: AUDIENCE, jwksUri: weak.jwksUri }],
      keyFetch: { ca: weak.ca as string },
      metrics: [own],
    });
    await guard.ready();
    const text = await own.registry.metrics();
    expect(text).toContain(`nevertrust_keys_refused_total{issuer="${weak.url}",rule="rsa-exponent"} 1`);
    expect(text).toContain(
      `nevertrust_keys_refused_total{issuer="${weak.url}",rule="not-for-verification"} 1`,
    );
    await guard.close();
    await weak.close();
  });

  it('caps route label values (a scanner cannot create unbounded series)', async () => {
    const own = createPrometheusMetrics({ registry: new Registry(), maxRoutes: 3 });
    const guard = createGuard({
      issuers: [{ issuer: keyServer.url, audience: AUDIENCE, keys: [key.jwk] }],
      metrics: [own],
    });
    for (let index = 0; index < 10; index += 1) {
      await guard.evaluate(bearer('', { routeId: `/probe/${index}`, headers: {} }));
    }
    const text = await own.registry.metrics();
    const series = text.split('\n').filter((line) => line.startsWith('nevertrust_decisions_total{'));
    expect(series).toHaveLength(4);
    expect(series.some((line) => line.includes('route="other"') && line.endsWith(' 7'))).toBe(true);
  });

  it('metric names follow Prometheus conventions', async () => {
    const text = await metrics.registry.metrics();
    const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]] as const);
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const [name, type] of names) {
      expect(name).toMatch(/^nevertrust_[a-z_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
  });
});
