/**
 * OpenTelemetry through the API only: with a real SDK (tracer, meter and logger providers passed in),
 * each evaluation is one span carrying the decision, the audit record carries its trace and span ids, the
 * counters and histograms add up, and audit records become log records linked to the span. Without an
 * SDK everything is a no-op and records carry no trace id.
 */

import { type AuditEvent, ConfigError, requireScopes } from '@nevertrust/core';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, type MetricData, type MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import {
  createOpenTelemetryLogSink,
  createOpenTelemetryMetrics,
  createOpenTelemetryTracing,
  INSTRUMENTATION_SCOPE,
} from '../src/index.js';
import { ISSUER, otelGuard, TestReader } from './helpers.js';

async function collect(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  const metrics = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) metrics.set(metric.descriptor.name, metric);
  }
  return metrics;
}

function sumOf(metric: MetricData | undefined, attributes: Record<string, unknown>): number {
  let total = 0;
  for (const point of metric?.dataPoints ?? []) {
    if (Object.entries(attributes).every(([name, value]) => point.attributes[name] === value)) {
      total += point.value as number;
    }
  }
  return total;
}

describe('OpenTelemetry', () => {
  it('one span per evaluation with the decision attributes; the audit record links to it', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const events: AuditEvent[] = [];
    const { guard, mint } = otelGuard({
      tracing: createOpenTelemetryTracing({ tracerProvider }),
      onAudit: (event) => events.push(event),
    });
    const token = mint({ scope: 'orders:read' });
    const facts = (routeId: string) => ({
      method: 'GET',
      target: '/orders/7',
      headers: { authorization: [`Bearer ${token}`] },
      remoteAddress: '127.0.0.1',
      routeId,
    });
    await guard.evaluate(facts('/orders/:id'), requireScopes('orders:read'));
    await guard.evaluate(facts('/orders/:id'), requireScopes('orders:write'));
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    const [allowed, refused] = spans;
    expect(allowed?.name).toBe('nevertrust.evaluate');
    expect(allowed?.instrumentationScope.name).toBe(INSTRUMENTATION_SCOPE);
    expect(allowed?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'nevertrust.outcome': 'allow',
      'nevertrust.reason': 'OK',
      'nevertrust.issuer': ISSUER,
      'nevertrust.client_id': 'client-1',
      'http.response.status_code': 200,
    });
    expect(refused?.attributes).toMatchObject({
      'nevertrust.outcome': 'deny',
      'nevertrust.reason': 'ERR_INSUFFICIENT_SCOPE',
      'http.response.status_code': 403,
    });
    // No subject, no token material on spans: those stay in the (redactable) audit trail.
    const text = JSON.stringify(spans.map((span) => span.attributes));
    expect(text).not.toContain('user-1');
    expect(text).not.toContain(token.slice(0, 20));
    expect(events[0]?.traceId).toBe(allowed?.spanContext().traceId);
    expect(events[0]?.spanId).toBe(allowed?.spanContext().spanId);
    expect(events[0]?.traceId).toMatch(/^[0-9a-f]{32}$/);
    await tracerProvider.shutdown();
  });

  it('a 5xx decision marks the span as an error', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const { guard } = otelGuard({ tracing: createOpenTelemetryTracing({ tracerProvider }) });
    // Facts an adapter got badly wrong end in ERR_INTERNAL (500), never in a rejection.
    const decision = await guard.evaluate({ method: 'GET', target: '/', headers: null as never });
    expect(decision.outcome === 'deny' && decision.status).toBe(500);
    expect(exporter.getFinishedSpans()[0]?.status.code).toBe(2);
  });

  it('counters and histograms: decisions, latency, cache lookups', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const { guard, mint, call } = otelGuard({ metrics: [createOpenTelemetryMetrics({ meterProvider })] });
    const token = mint();
    // Three times: the cache admits a token on its second verification, so the third is a hit.
    for (let index = 0; index < 3; index += 1) await call(token, { routeId: '/orders' });
    await call(undefined, { routeId: '/orders' });
    const metrics = await collect(reader);
    const decisions = metrics.get('nevertrust.decisions');
    expect(
      sumOf(decisions, { 'nevertrust.outcome': 'allow', 'nevertrust.reason': 'OK', 'http.route': '/orders' }),
    ).toBe(3);
    expect(sumOf(decisions, { 'nevertrust.reason': 'ERR_NO_CREDENTIALS' })).toBe(1);
    const cache = metrics.get('nevertrust.token_cache.lookups');
    expect(sumOf(cache, { result: 'hit' })).toBe(1);
    expect(sumOf(cache, { result: 'miss' })).toBe(2);
    const duration = metrics.get('nevertrust.evaluation.duration');
    expect(duration?.descriptor.unit).toBe('s');
    const counts = (duration?.dataPoints ?? []).map((point) => (point.value as { count: number }).count);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(4);
    await guard.close();
    await meterProvider.shutdown();
  });

  it('without an SDK: no trace ids, decisions unchanged', async () => {
    const events: AuditEvent[] = [];
    const { mint, call } = otelGuard({
      tracing: createOpenTelemetryTracing(),
      metrics: [createOpenTelemetryMetrics()],
      onAudit: (event) => events.push(event),
    });
    expect((await call(mint())).outcome).toBe('allow');
    expect(events[0]?.traceId).toBeUndefined();
    expect(events[0]?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('OpenTelemetry logs', () => {
  it('one log record per audit record, severity by outcome, flat attributes, linked to the span (A12)', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const spans = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    });
    const { guard, mint, call } = otelGuard({
      tracing: createOpenTelemetryTracing({ tracerProvider }),
      audit: { sinks: [createOpenTelemetryLogSink({ loggerProvider })] },
    });
    const token = mint();
    await call(token, { routeId: '/orders' });
    await call(undefined);
    await call(`${token.slice(0, -4)}AAAA`);
    await guard.close();
    await loggerProvider.forceFlush();
    const logs = exporter.getFinishedLogRecords();
    expect(logs).toHaveLength(3);
    expect(logs.map((log) => log.severityText)).toEqual(['INFO', 'WARN', 'WARN']);
    expect(logs.map((log) => log.severityNumber)).toEqual([9, 13, 13]);
    expect(logs[0]?.eventName).toBe('nevertrust.audit.decision');
    expect(logs[0]?.instrumentationScope.name).toBe(INSTRUMENTATION_SCOPE);
    expect(logs[0]?.attributes['nevertrust.reason']).toBe('OK');
    expect(logs[1]?.attributes['nevertrust.reason']).toBe('ERR_NO_CREDENTIALS');
    const finished = spans.getFinishedSpans();
    expect(logs.map((log) => log.spanContext?.spanId)).toEqual(
      finished.map((span) => span.spanContext().spanId),
    );
    // No token material in the log attributes (any 12 consecutive characters would be a leak).
    const text = JSON.stringify(logs.map((log) => log.attributes));
    for (let start = 0; start + 12 <= token.length; start += 6) {
      expect(text.includes(token.slice(start, start + 12)), `token text at ${start}`).toBe(false);
    }
    await loggerProvider.shutdown();
    await tracerProvider.shutdown();
  });
});

describe('options', () => {
  it('a provider without the method this package calls is a ConfigError naming the option', () => {
    expect(() => createOpenTelemetryTracing({ tracerProvider: {} as never })).toThrow(ConfigError);
    expect(() => createOpenTelemetryTracing({ tracerProvider: {} as never })).toThrow(/tracerProvider:/);
    expect(() => createOpenTelemetryMetrics({ meterProvider: { getMeter: 1 } as never })).toThrow(
      /meterProvider: expected an object with getMeter\(\)/,
    );
    expect(() => createOpenTelemetryLogSink({ loggerProvider: {} as never })).toThrow(/loggerProvider:/);
    expect(() => createOpenTelemetryLogSink({ logger: {} as never })).toThrow(/logger:/);
  });

  it('a tracer that throws is contained: the decision stands, without trace ids', async () => {
    const events: AuditEvent[] = [];
    const broken = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('sdk fault');
        },
      }),
    };
    const { mint, call } = otelGuard({
      tracing: createOpenTelemetryTracing({ tracerProvider: broken as never }),
      onAudit: (event) => events.push(event),
    });
    expect((await call(mint())).outcome).toBe('allow');
    expect(events[0]?.traceId).toBeUndefined();
  });
});
