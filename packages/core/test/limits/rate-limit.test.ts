/**
 * Rate limits through the guard: per peer (before verification), per principal and per client (after
 * it), per route, with 429 and a `Retry-After` that really is the time until the next request passes.
 */
import { describe, expect, it } from 'vitest';
import { type AuditRecord, ConfigError, createMemoryCounterStore, type Decision } from '../../src/index.js';
import { retryAfterSeconds, slidingCount } from '../../src/limits/sliding-window.js';
import { collectingSink, monitoredGuard } from '../audit/helpers.js';

function expectLimited(decision: Decision): number {
  if (decision.outcome !== 'deny') expect.fail('expected 429, got allow');
  expect(decision.code).toBe('ERR_RATE_LIMITED');
  expect(decision.status).toBe(429);
  expect(decision.body.error).toBe('too_many_requests');
  expect(decision.headers['www-authenticate']).toBeUndefined();
  const retry = Number(decision.headers['retry-after']);
  expect(Number.isInteger(retry) && retry >= 1).toBe(true);
  return retry;
}

describe('sliding window arithmetic', () => {
  it('weights the previous window by its overlap', () => {
    expect(slidingCount({ current: 3, previous: 10, windowStart: 60_000 }, 60_000, 90_000)).toBe(8);
    expect(slidingCount({ current: 3, previous: 10, windowStart: 60_000 }, 60_000, 60_000)).toBe(13);
  });

  it('Retry-After is the wait until one more request fits', () => {
    expect(retryAfterSeconds({ current: 100, previous: 0, windowStart: 0 }, 60_000, 30_000, 100)).toBe(31);
    // 5 allowed, window just rolled over with 6 in the previous one: wait until ~1/6 of it slid out.
    expect(retryAfterSeconds({ current: 0, previous: 6, windowStart: 60_000 }, 60_000, 60_000, 5)).toBe(20);
    expect(retryAfterSeconds({ current: 1, previous: 0, windowStart: 0 }, 60_000, 1000, 5)).toBe(1);
  });
});

describe('rate limits', () => {
  it('per peer: the 6th request in a minute gets 429, other peers are unaffected, Retry-After holds', async () => {
    const { mint, call, clock } = monitoredGuard({
      rateLimits: [{ by: 'peer', limit: 5, windowSeconds: 60 }],
    });
    const token = mint();
    const peer = { remoteAddress: '203.0.113.7' };
    for (let index = 0; index < 5; index += 1) expect((await call(token, peer)).outcome).toBe('allow');
    const retry = expectLimited(await call(token, peer));
    expect((await call(token, { remoteAddress: '203.0.113.8' })).outcome).toBe('allow');
    // Bogus tokens are refused before verification: the peer limit applies whatever the credential.
    expectLimited(await call('not.a.token', peer));
    clock.ms += (retry - 1) * 1000;
    expectLimited(await call(token, peer));
    clock.ms += 61_000 + retry * 1000;
    expect((await call(token, peer)).outcome).toBe('allow');
  });

  it('per principal and per client: counted after verification, keyed by issuer + subject / client id', async () => {
    const sink = collectingSink();
    const { guard, mint, call } = monitoredGuard({
      rateLimits: [
        { name: 'user-burst', by: 'principal', limit: 2, windowSeconds: 10 },
        { by: 'client', limit: 3, windowSeconds: 10 },
      ],
      audit: { sinks: [sink] },
    });
    const alice = mint({ sub: 'alice', client_id: 'app' });
    const bob = mint({ sub: 'bob', client_id: 'app' });
    expect((await call(alice)).outcome).toBe('allow');
    expect((await call(alice)).outcome).toBe('allow');
    const limited = await call(alice);
    expectLimited(limited);
    // The refusal names who was limited and by which rule.
    expect(limited.audit).toMatchObject({
      subject: 'alice',
      clientId: 'app',
      detail: 'rate limit user-burst',
    });
    // Alice's third request counted for the client too: Bob gets one more before the client limit.
    expect((await call(bob)).outcome).toBe('deny');
    await guard.flushAudit();
    const last = sink.records.at(-1) as AuditRecord;
    expect(last.type === 'decision' && last.detail).toBe('rate limit client:3/10s');
    // Requests without a verified token are not counted per principal.
    for (let index = 0; index < 5; index += 1) expect((await call(undefined)).outcome).toBe('deny');
  });

  it('per route: a rule lists the route templates it applies to', async () => {
    const { mint, call } = monitoredGuard({
      rateLimits: [{ by: 'peer', limit: 1, windowSeconds: 60, routes: ['/login'] }],
    });
    const token = mint();
    expect((await call(token, { routeId: '/login' })).outcome).toBe('allow');
    expectLimited(await call(token, { routeId: '/login' }));
    for (let index = 0; index < 3; index += 1)
      expect((await call(token, { routeId: '/orders' })).outcome).toBe('allow');
    // Facts without a route template are not matched by route-specific rules.
    expect((await call(token)).outcome).toBe('allow');
  });

  it('a shared counter store serves several guards (one view of a client across instances)', async () => {
    const counterStore = createMemoryCounterStore();
    const options = { counterStore, rateLimits: [{ by: 'peer' as const, limit: 2, windowSeconds: 60 }] };
    const a = monitoredGuard(options);
    const b = monitoredGuard(options);
    const token = a.mint();
    expect((await a.call(token)).outcome).toBe('allow');
    expect((await b.call(token)).outcome).toBe('allow');
    expectLimited(await a.call(token));
    expectLimited(await b.call(token));
  });

  it('a failing store fails closed (503 ERR_LIMITS_UNAVAILABLE, never 500), never open', async () => {
    const broken = createMemoryCounterStore();
    broken.increment = async () => {
      throw new Error('store down');
    };
    const { mint, call } = monitoredGuard({
      counterStore: broken,
      rateLimits: [{ by: 'peer', limit: 100, windowSeconds: 60 }],
    });
    const decision = await call(mint());
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_LIMITS_UNAVAILABLE');
    expect(decision.outcome === 'deny' && decision.status).toBe(503);
  });

  it('bad rules fail at start-up naming the option', () => {
    expect(() =>
      monitoredGuard({ rateLimits: [{ by: 'ip' as never, limit: 0, windowSeconds: 60 }] }),
    ).toThrow(ConfigError);
    try {
      monitoredGuard({ rateLimits: [{ by: 'peer', limit: 0, windowSeconds: 0, routes: [] }] });
      expect.fail('expected ConfigError');
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('rateLimits[0].limit');
      expect(problems).toContain('rateLimits[0].windowSeconds');
      expect(problems).toContain('rateLimits[0].routes');
    }
  });
});
