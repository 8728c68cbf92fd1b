/**
 * The anomaly detectors through the guard, on a simulated clock: each fires once at its threshold with a
 * `detection` record linked to the triggering request, optionally blocks the offender for a cool-down
 * (429 + Retry-After for peers and principals, 401 invalid_token for a spread token), and forgets.
 */
import { describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  createMemoryCounterStore,
  type Decision,
  type MetricsRecorder,
  requireScopes,
} from '../../src/index.js';
import { type DetectionEvent, detectionEventSchema } from '../../src/sinks.js';
import { collectingSink, monitoredGuard } from '../audit/helpers.js';

const detections = (records: readonly AuditRecord[]) =>
  records.filter((record): record is DetectionEvent => record.type === 'detection');

function expectBlocked(decision: Decision, retryAfter: number): void {
  if (decision.outcome !== 'deny') expect.fail('expected a block, got allow');
  expect(decision.code).toBe('ERR_BLOCKED');
  expect(decision.status).toBe(429);
  expect(decision.headers['retry-after']).toBe(String(retryAfter));
  expect(decision.body.error).toBe('too_many_requests');
}

describe('auth-failure-burst', () => {
  it('reports at the threshold, once per window, with the peer and the triggering request', async () => {
    const sink = collectingSink();
    const fired: string[] = [];
    const recorder: MetricsRecorder = {
      detection: (event) => fired.push(`${event.detector}:${event.action}`),
    };
    const { guard, call } = monitoredGuard({
      audit: { sinks: [sink] },
      metrics: [recorder],
      detectors: { authFailureBurst: { threshold: 5, windowSeconds: 60 } },
    });
    const peer = { remoteAddress: '198.51.100.9' };
    const decisions: Decision[] = [];
    for (let index = 0; index < 8; index += 1) decisions.push(await call('forged.token.value', peer));
    await guard.flushAudit();
    const found = detections(sink.records);
    expect(found).toHaveLength(1);
    const [detection] = found as [DetectionEvent];
    expect(detection).toMatchObject({
      detector: 'auth-failure-burst',
      offender: 'peer',
      remoteAddress: '198.51.100.9',
      count: 5,
      threshold: 5,
      windowSeconds: 60,
      action: 'report',
    });
    expect(detection.correlationId).toBe(decisions[4]?.audit.correlationId);
    expect(detectionEventSchema.safeParse(detection).success).toBe(true);
    expect(fired).toEqual(['auth-failure-burst:report']);
    // Report only: nothing is blocked.
    expect(decisions.every((decision) => decision.outcome === 'deny' && decision.status === 401)).toBe(true);
  });

  it('blocks the peer for the cool-down: 429 with Retry-After even for a valid token, then forgets', async () => {
    const { mint, call, clock } = monitoredGuard({
      detectors: { authFailureBurst: { threshold: 3, windowSeconds: 60, blockSeconds: 120 } },
    });
    const peer = { remoteAddress: '198.51.100.10' };
    for (let index = 0; index < 3; index += 1) {
      const decision = await call(`bogus-${index}`, peer);
      expect(decision.outcome === 'deny' && decision.status).toBe(401);
    }
    const token = mint();
    expectBlocked(await call(token, peer), 120);
    clock.ms += 60_000;
    expectBlocked(await call(token, peer), 60);
    expect((await call(token, { remoteAddress: '198.51.100.11' })).outcome).toBe('allow');
    clock.ms += 60_001;
    expect((await call(mint(), peer)).outcome).toBe('allow');
  });

  it('ignores missing credentials and requests with a verified token', async () => {
    const sink = collectingSink();
    const { guard, mint, call } = monitoredGuard({
      audit: { sinks: [sink] },
      detectors: { authFailureBurst: { threshold: 2, windowSeconds: 60, blockSeconds: 60 } },
    });
    const token = mint();
    for (let index = 0; index < 5; index += 1) await call(undefined);
    for (let index = 0; index < 5; index += 1) {
      await guard.evaluate(
        {
          method: 'GET',
          target: '/',
          headers: { authorization: [`Bearer ${token}`] },
          remoteAddress: '127.0.0.1',
        },
        requireScopes('admin'),
      );
    }
    await guard.flushAudit();
    expect(detections(sink.records).filter((event) => event.detector === 'auth-failure-burst')).toEqual([]);
    expect((await call(token)).outcome).toBe('allow');
  });
});

describe('scope-probing', () => {
  it('one principal refused for scope again and again is reported, then blocked', async () => {
    const sink = collectingSink();
    const { guard, mint, clock } = monitoredGuard({
      audit: { sinks: [sink] },
      detectors: { scopeProbing: { threshold: 4, windowSeconds: 60, blockSeconds: 300 } },
    });
    const token = mint({ sub: 'mallory', scope: 'orders:read' });
    const probe = (scope: string, remoteAddress = '192.0.2.50') =>
      guard.evaluate(
        {
          method: 'GET',
          target: `/${scope}`,
          headers: { authorization: [`Bearer ${token}`] },
          remoteAddress,
        },
        requireScopes(scope),
      );
    for (const scope of ['admin', 'billing', 'users:write']) {
      const decision = await probe(scope);
      expect(decision.outcome === 'deny' && decision.code).toBe('ERR_INSUFFICIENT_SCOPE');
    }
    const fourth = await probe('secrets');
    expect(fourth.outcome === 'deny' && fourth.code).toBe('ERR_INSUFFICIENT_SCOPE');
    // Blocked as a principal, whatever the address and whatever the route asks.
    expectBlocked(await probe('orders:read', '192.0.2.99'), 300);
    const other = mint({ sub: 'alice', scope: 'orders:read' });
    const alice = await guard.evaluate(
      {
        method: 'GET',
        target: '/',
        headers: { authorization: [`Bearer ${other}`] },
        remoteAddress: '192.0.2.50',
      },
      requireScopes('orders:read'),
    );
    expect(alice.outcome).toBe('allow');
    await guard.flushAudit();
    expect(detections(sink.records)).toEqual([
      expect.objectContaining({
        detector: 'scope-probing',
        offender: 'principal',
        subject: 'mallory',
        issuer: 'https://idp.monitoring.test/',
        clientId: 'client-1',
        count: 4,
        action: 'block',
        blockedUntil: new Date(clock.ms + 300_000).toISOString(),
      }),
    ]);
  });
});

describe('token-spread', () => {
  it('one token from many addresses: the token is suspended (401 invalid_token) from the triggering request on', async () => {
    const sink = collectingSink();
    const { guard, mint, call } = monitoredGuard({
      audit: { sinks: [sink] },
      detectors: { tokenSpread: { threshold: 3, windowSeconds: 300, blockSeconds: 600 } },
    });
    const token = mint();
    expect((await call(token, { remoteAddress: '10.0.0.1' })).outcome).toBe('allow');
    expect((await call(token, { remoteAddress: '10.0.0.1' })).outcome).toBe('allow');
    expect((await call(token, { remoteAddress: '10.0.0.2' })).outcome).toBe('allow');
    const third = await call(token, { remoteAddress: '10.0.0.3' });
    if (third.outcome !== 'deny') expect.fail('expected the token to be suspended');
    expect(third.code).toBe('ERR_TOKEN_SUSPENDED');
    expect(third.status).toBe(401);
    expect(third.headers['www-authenticate']).toContain('error="invalid_token"');
    // Its rightful client, back at the first address, must fetch a new token; a new token works.
    expect((await call(token, { remoteAddress: '10.0.0.1' })).outcome).toBe('deny');
    expect((await call(mint(), { remoteAddress: '10.0.0.1' })).outcome).toBe('allow');
    await guard.flushAudit();
    expect(detections(sink.records)).toEqual([
      expect.objectContaining({ detector: 'token-spread', offender: 'token', count: 3, action: 'block' }),
    ]);
  });

  it('report-only by default thresholds, and the same token from one address never fires', async () => {
    const sink = collectingSink();
    const { guard, mint, call } = monitoredGuard({
      audit: { sinks: [sink] },
      detectors: { tokenSpread: true },
    });
    const token = mint();
    for (let index = 0; index < 20; index += 1) await call(token, { remoteAddress: '10.1.0.1' });
    for (let index = 2; index <= 5; index += 1) {
      expect((await call(token, { remoteAddress: `10.1.0.${index}` })).outcome).toBe('allow');
    }
    await guard.flushAudit();
    expect(detections(sink.records)).toEqual([
      expect.objectContaining({ detector: 'token-spread', count: 5, threshold: 5, action: 'report' }),
    ]);
  });
});

describe('counter store bounds', () => {
  it('keeps at most maxKeys counters and maxMembers members per set', async () => {
    const store = createMemoryCounterStore({ maxKeys: 10, maxMembers: 4 });
    for (let index = 0; index < 100; index += 1) await store.increment(`k${index}`, 1000, 0);
    expect((await store.increment('k0', 1000, 0)).current).toBe(1);
    expect((await store.increment('k99', 1000, 0)).current).toBe(2);
    let distinct = 0;
    for (let index = 0; index < 50; index += 1)
      distinct = await store.distinct('set', `m${index}`, 60_000, index);
    expect(distinct).toBe(4);
    // Members older than the window are forgotten.
    expect(await store.distinct('set', 'late', 60_000, 200_000)).toBe(1);
    await store.setFlag('f', 5000);
    expect(await store.flag('f', 4999)).toBe(5000);
    expect(await store.flag('f', 5000)).toBeUndefined();
  });

  it('rolls fixed windows over, keeping the previous count', async () => {
    const store = createMemoryCounterStore();
    await store.increment('w', 1000, 100);
    await store.increment('w', 1000, 200);
    expect(await store.increment('w', 1000, 1100)).toEqual({ current: 1, previous: 2, windowStart: 1000 });
    expect(await store.increment('w', 1000, 3500)).toEqual({ current: 1, previous: 0, windowStart: 3000 });
  });
});
