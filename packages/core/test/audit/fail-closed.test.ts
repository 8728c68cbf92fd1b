/**
 * Fail-closed audit mode: while records cannot be written (a sink failing or its queue full), requests
 * are refused with 503 `ERR_AUDIT_UNAVAILABLE` and `Retry-After`; they pass again once the sink recovers.
 * Without the mode, the same broken sink changes nothing.
 */
import { bearer } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE } from '../../src/index.js';
import { monitoredGuard, slowSink, switchableSink } from './helpers.js';

describe('fail-closed audit', () => {
  it('refuses with 503 and Retry-After while the sink fails, and recovers with it', async () => {
    const { sink, records, state } = switchableSink();
    const { guard, mint, call } = monitoredGuard({ audit: { sinks: [sink], failClosed: true } });
    const token = mint();
    // The first request finds a healthy sink; its record's write fails.
    expect((await call(token)).outcome).toBe('allow');
    await guard.flushAudit();
    const refused = await call(token);
    if (refused.outcome !== 'deny') expect.fail('expected a refusal while the sink fails');
    expect(refused.code).toBe('ERR_AUDIT_UNAVAILABLE');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.headers['www-authenticate']).toBeUndefined();
    expect(refused.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: ERROR_TABLE.ERR_AUDIT_UNAVAILABLE.description,
    });
    await guard.flushAudit();
    expect(guard.auditHealth()[0]?.healthy).toBe(false);
    // The sink is back but nothing has told the guard yet: the next request is still refused, and the
    // successful write of its record is what heals the sink.
    state.failing = false;
    expect((await call(token)).outcome).toBe('deny');
    await guard.flushAudit();
    expect(guard.auditHealth()[0]?.healthy).toBe(true);
    expect((await call(token)).outcome).toBe('allow');
    await guard.flushAudit();
    const reasons = records.flatMap((record) =>
      record.type === 'decision' ? [record.reason] : [record.type],
    );
    expect(reasons.at(-1)).toBe('OK');
    expect(reasons).toContain('ERR_AUDIT_UNAVAILABLE');
    expect(reasons[0]).toBe('gap');
    await guard.close();
  });

  it('refuses while a slow sink has a full queue, each request leaving exactly one record', async () => {
    const { sink, records } = slowSink(100);
    const events: string[] = [];
    const { guard, mint, call } = monitoredGuard({
      audit: { sinks: [sink], failClosed: true, queueSize: 2, batchSize: 1 },
      onAudit: (event) => events.push(event.reason),
    });
    const token = mint();
    const outcomes: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const decision = await call(token);
      outcomes.push(decision.outcome === 'allow' ? 'allow' : decision.code);
    }
    expect(outcomes.slice(0, 2)).toEqual(['allow', 'allow']);
    expect(outcomes.slice(2)).toEqual(Array(4).fill('ERR_AUDIT_UNAVAILABLE'));
    expect(events).toHaveLength(6);
    await guard.flushAudit();
    expect(records.filter((record) => record.type === 'decision').length).toBeGreaterThanOrEqual(2);
    await guard.close();
  });

  it('refuses a deferred decision too, before the handler runs', async () => {
    const { sink } = switchableSink();
    const { guard, mint } = monitoredGuard({ audit: { sinks: [sink], failClosed: true } });
    const token = mint();
    const first = await guard.evaluate(bearer(token), undefined, { deferAudit: true });
    guard.recordAudit(first, { status: 200 });
    await guard.flushAudit();
    const second = await guard.evaluate(bearer(token), undefined, { deferAudit: true });
    expect(second.outcome === 'deny' && second.code).toBe('ERR_AUDIT_UNAVAILABLE');
    await guard.close();
  });

  it('without fail-closed the same failing sink never changes a decision', async () => {
    const { sink } = switchableSink();
    const { guard, mint, call } = monitoredGuard({ audit: { sinks: [sink] } });
    const token = mint();
    for (let index = 0; index < 3; index += 1) {
      expect((await call(token)).outcome).toBe('allow');
      await guard.flushAudit();
    }
    expect(guard.auditHealth()[0]).toMatchObject({ healthy: false, lost: { write_failed: 3 } });
    await guard.close();
  });
});
