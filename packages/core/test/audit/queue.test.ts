/**
 * The bounded queue in front of each sink: a slow or failing sink never slows or fails a request, every
 * lost record is counted, and the trail itself says where records went missing (gap records).
 */
import { describe, expect, it } from 'vitest';
import { createSinkQueue } from '../../src/audit/queue.js';
import type { AuditRecord, AuditSink, MetricsRecorder } from '../../src/index.js';
import { AUDIT_SCHEMA, type GapEvent } from '../../src/sinks.js';
import { monitoredGuard, slowSink, switchableSink } from './helpers.js';

function decision(index: number): AuditRecord {
  return {
    schema: AUDIT_SCHEMA,
    type: 'decision',
    correlationId: `req-${index}`,
    time: new Date(0).toISOString(),
    outcome: 'allow',
    reason: 'OK',
    status: 200,
    method: 'GET',
    path: '/',
    route: undefined,
    remoteAddress: undefined,
    issuer: undefined,
    subject: undefined,
    clientId: undefined,
    principalKind: undefined,
    tokenId: undefined,
    keyId: undefined,
    tokenFingerprint: undefined,
    requirement: 'public',
    requiredScopes: undefined,
    grantedScopes: undefined,
    cacheHit: false,
    durationMs: 0,
    detail: undefined,
  };
}

const ids = (records: readonly AuditRecord[]) =>
  records.map((record) =>
    record.type === 'gap' ? `gap:${record.reason}:${record.dropped}` : record.correlationId,
  );

describe('sink queue', () => {
  it('drops records beyond its capacity, counts them and writes a gap record where they were lost', async () => {
    const { sink, records } = slowSink(20);
    const losses: [string, string, number][] = [];
    const queue = createSinkQueue(sink, {
      capacity: 3,
      batchSize: 10,
      clock: () => 0,
      onLoss: (name, reason, count) => losses.push([name, reason, count]),
    });
    const offered = [0, 1, 2, 3, 4].map((index) => queue.offer(decision(index)));
    expect(offered).toEqual([true, true, true, false, false]);
    expect(queue.healthy()).toBe(false);
    expect(queue.losses()).toEqual({ queue_full: 2, write_failed: 0 });
    expect(losses).toEqual([
      ['slow', 'queue_full', 1],
      ['slow', 'queue_full', 1],
    ]);
    await queue.flush();
    expect(ids(records)).toEqual(['req-0', 'req-1', 'req-2', 'gap:queue_full:2']);
    const gap = records[3] as GapEvent;
    expect(gap).toMatchObject({ schema: AUDIT_SCHEMA, sink: 'slow', dropped: 2 });
    expect(queue.healthy()).toBe(true);
  });

  it('keeps order across batches and never hands a sink more than batchSize records at once', async () => {
    const batches: number[] = [];
    const seen: AuditRecord[] = [];
    const sink: AuditSink = {
      name: 'batches',
      write(batch) {
        batches.push(batch.length);
        seen.push(...batch);
      },
    };
    const queue = createSinkQueue(sink, { capacity: 100, batchSize: 4, clock: () => 0 });
    for (let index = 0; index < 10; index += 1) queue.offer(decision(index));
    await queue.flush();
    expect(batches).toEqual([4, 4, 2]);
    expect(ids(seen)).toEqual([...Array(10).keys()].map((index) => `req-${index}`));
  });

  it('counts the batches of a failing sink, is unhealthy until a write succeeds, then reports the gap', async () => {
    const { sink, records, state } = switchableSink();
    const queue = createSinkQueue(sink, { capacity: 10, batchSize: 10, clock: () => 0 });
    queue.offer(decision(0));
    queue.offer(decision(1));
    await queue.flush();
    expect(queue.losses().write_failed).toBe(2);
    expect(queue.healthy()).toBe(false);
    state.failing = false;
    queue.offer(decision(2));
    await queue.flush();
    expect(queue.healthy()).toBe(true);
    expect(ids(records)).toEqual(['gap:write_failed:2', 'req-2']);
  });

  it('contains a sink that throws synchronously and a metrics hook that throws', async () => {
    const sink: AuditSink = {
      name: 'throws',
      write() {
        throw new Error('boom');
      },
    };
    const queue = createSinkQueue(sink, {
      capacity: 2,
      batchSize: 1,
      clock: () => 0,
      onLoss: () => {
        throw new Error('metrics down');
      },
    });
    queue.offer(decision(0));
    await queue.flush();
    expect(queue.losses().write_failed).toBe(1);
  });
});

describe('sinks never block or slow a request', () => {
  it('a sink taking 200 ms per write leaves evaluation fast; overflow is dropped, counted and reported', async () => {
    const { sink, records } = slowSink(200);
    const lost: number[] = [];
    const recorder: MetricsRecorder = { auditLoss: (_sink, _reason, count) => lost.push(count) };
    const { guard, mint, call } = monitoredGuard({
      audit: { sinks: [sink], queueSize: 5, batchSize: 5 },
      metrics: [recorder],
    });
    const token = mint();
    const started = performance.now();
    for (let index = 0; index < 50; index += 1) expect((await call(token)).outcome).toBe('allow');
    const elapsed = performance.now() - started;
    // 50 decisions behind a sink that needs 200 ms per write: far below even one write's time.
    expect(elapsed).toBeLessThan(200);
    expect(lost.reduce((sum, count) => sum + count, 0)).toBe(45);
    expect(guard.auditHealth()).toEqual([
      { sink: 'slow', healthy: false, queued: 5, lost: { queue_full: 45, write_failed: 0 } },
    ]);
    await guard.flushAudit();
    const gaps = records.filter((record) => record.type === 'gap');
    expect(gaps).toEqual([expect.objectContaining({ dropped: 45, reason: 'queue_full', sink: 'slow' })]);
    expect(records.filter((record) => record.type === 'decision')).toHaveLength(5);
    await guard.close();
  });

  it('a failing sink changes no decision and its losses are counted', async () => {
    const { sink, state } = switchableSink();
    const { guard, mint, call } = monitoredGuard({ audit: { sinks: [sink] } });
    const token = mint();
    for (let index = 0; index < 5; index += 1) expect((await call(token)).outcome).toBe('allow');
    expect((await call(undefined)).outcome).toBe('deny');
    await guard.flushAudit();
    expect(state.attempts).toBeGreaterThan(0);
    expect(guard.auditHealth()[0]?.lost.write_failed).toBe(6);
    await guard.close();
  });

  it('is unhealthy once maxUnconfirmed records wait for a hanging sink, or the oldest waits maxUnconfirmedMs', async () => {
    const sink: AuditSink = { name: 'hang', write: () => new Promise<void>(() => {}) };
    const byCount = createSinkQueue(sink, { capacity: 100, batchSize: 2, clock: () => 0, maxUnconfirmed: 3 });
    byCount.offer(decision(0));
    byCount.offer(decision(1));
    expect(byCount.healthy()).toBe(true);
    byCount.offer(decision(2));
    expect(byCount.healthy()).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    // Two records are being written (never confirmed), one is queued: still three unconfirmed.
    expect(byCount.healthy()).toBe(false);
    const byAge = createSinkQueue(sink, {
      capacity: 100,
      batchSize: 2,
      clock: () => 0,
      maxUnconfirmedMs: 30,
    });
    byAge.offer(decision(0));
    expect(byAge.healthy()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(byAge.healthy()).toBe(false);
  });

  it('without bounds (fail-closed off) a lagging sink stays healthy until its queue fills', async () => {
    const sink: AuditSink = { name: 'hang', write: () => new Promise<void>(() => {}) };
    const queue = createSinkQueue(sink, { capacity: 5, batchSize: 2, clock: () => 0 });
    for (let index = 0; index < 4; index += 1) queue.offer(decision(index));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(queue.healthy()).toBe(true);
  });
});
