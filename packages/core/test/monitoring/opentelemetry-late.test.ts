/**
 * OpenTelemetry is on by default and loaded lazily (issue 7): a guard created before the application
 * registers its global SDK providers still traces and counts once they are registered — including after
 * requests were already evaluated without any provider.
 */
import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/index.js';
import { monitoredGuard } from './helpers.js';

class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

afterEach(() => {
  trace.disable();
  metrics.disable();
});

describe('OpenTelemetry providers registered after the guard', () => {
  it('a global TracerProvider registered later gets one span per evaluation, linked from the audit', async () => {
    const events: AuditEvent[] = [];
    const { mint, call } = monitoredGuard({ openTelemetry: {}, onAudit: (event) => events.push(event) });
    const token = mint();
    expect((await call(token, { routeId: '/orders' })).outcome).toBe('allow');
    expect(events[0]?.traceId).toBeUndefined();

    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    expect((await call(token, { routeId: '/orders' })).outcome).toBe('allow');
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.name).toBe('nevertrust.evaluate');
    expect(spans[0]?.attributes).toMatchObject({ 'http.route': '/orders', 'nevertrust.outcome': 'allow' });
    expect(events[1]?.traceId).toBe(spans[0]?.spanContext().traceId);
    expect(events[1]?.spanId).toBe(spans[0]?.spanContext().spanId);
    await provider.shutdown();
  });

  it('a global MeterProvider registered after the first requests counts the later decisions', async () => {
    const { mint, call } = monitoredGuard({ openTelemetry: {} });
    const token = mint();
    await call(token, { routeId: '/orders' });

    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
    await call(token, { routeId: '/orders' });
    await call(undefined, { routeId: '/orders' });
    const { resourceMetrics } = await reader.collect();
    const decisions = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'nevertrust.decisions');
    const total = (decisions?.dataPoints ?? []).reduce((sum, point) => sum + (point.value as number), 0);
    expect(total).toBe(2);
    await provider.shutdown();
  });
});
