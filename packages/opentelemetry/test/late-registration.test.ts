/**
 * The global providers, registered after the guard: a guard created before the application registers its
 * SDK still traces, counts and logs once it does — including after requests were already evaluated
 * without any provider. The application's `@opentelemetry/api` is the one this package uses (a peer
 * dependency, one copy), so what it registers is what the guard sees.
 */

import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AuditEvent } from '@nevertrust/core';
import { logs, metrics, trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOpenTelemetryLogSink,
  createOpenTelemetryMetrics,
  createOpenTelemetryTracing,
} from '../src/index.js';
import { otelGuard, TestReader } from './helpers.js';

afterEach(() => {
  trace.disable();
  metrics.disable();
  logs.disable();
});

describe('OpenTelemetry providers registered after the guard', () => {
  it('a global TracerProvider registered later gets one span per evaluation, linked from the audit', async () => {
    const events: AuditEvent[] = [];
    const { mint, call } = otelGuard({
      tracing: createOpenTelemetryTracing(),
      onAudit: (event) => events.push(event),
    });
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
    const { mint, call } = otelGuard({ metrics: [createOpenTelemetryMetrics()] });
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

  it('a global LoggerProvider registered after the guard receives the audit records', async () => {
    const { guard, mint, call } = otelGuard({ audit: { sinks: [createOpenTelemetryLogSink()] } });
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    expect(logs.setGlobalLoggerProvider(provider)).toBeTruthy();
    await call(mint(), { routeId: '/orders' });
    await guard.flushAudit();
    expect(exporter.getFinishedLogRecords().map((log) => log.eventName)).toEqual([
      'nevertrust.audit.decision',
    ]);
    await provider.shutdown();
  });

  it('one copy of @opentelemetry/api: the application, the SDK and this package load the same one', () => {
    const resolveFrom = (from: string) => realpathSync(createRequire(from).resolve('@opentelemetry/api'));
    const application = resolveFrom(import.meta.url);
    const own = resolveFrom(new URL('../src/index.ts', import.meta.url).href);
    const sdk = resolveFrom(createRequire(import.meta.url).resolve('@opentelemetry/sdk-trace'));
    expect(own).toBe(application);
    expect(sdk).toBe(application);
  });
});
