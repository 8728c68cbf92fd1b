/**
 * Fail closed: an internal fault becomes a deny (500, or 503 when keys are unavailable), never an allow
 * and never a rejected promise; each still leaves exactly one audit event.
 */
import { bearer, requestFacts } from '@nevertrust/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Decision, publicRoute, type RequestFacts, type Requirement } from '../../src/index.js';
import { StaticKeySource } from '../../src/keys/key-source.js';
import { expectAllow, expectDeny, harness } from '../support.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function expectInternalDeny(decision: Decision): void {
  const denied = expectDeny(decision, 'ERR_INTERNAL', 500);
  expect(denied.body).toEqual({
    error: 'server_error',
    error_description: 'The request could not be authorised',
  });
  expect(denied.headers['cache-control']).toBe('no-store');
  expect(denied.headers['www-authenticate']).toBeUndefined();
  expect(denied.audit.reason).toBe('ERR_INTERNAL');
}

describe('a key source that fails', () => {
  it.each([
    ['rejects', () => Promise.reject(new Error('backend exploded'))],
    [
      'throws synchronously',
      () => {
        throw new TypeError('bug');
      },
    ],
    ['rejects with a non-Error', () => Promise.reject('string')],
  ])('when it %s, the request is denied with 500 and evaluate resolves', async (_name, fault) => {
    const { mint, evaluateToken, guard, events } = harness();
    const token = mint();
    vi.spyOn(StaticKeySource.prototype, 'resolve').mockImplementation(fault as never);
    expectInternalDeny(await evaluateToken(token));
    // A public route does not turn a fault into an allow either.
    expectInternalDeny(await guard.evaluate(bearer(token), publicRoute()));
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain('backend exploded');
  });

  it('when keys are unavailable, the answer is 503 with Retry-After, not 401', async () => {
    const { mint, evaluateToken } = harness();
    vi.spyOn(StaticKeySource.prototype, 'resolve').mockResolvedValue({
      kind: 'unavailable',
      retryAfterSeconds: 30,
      detail: 'endpoint down',
    });
    const denied = expectDeny(await evaluateToken(mint()), 'ERR_KEYS_UNAVAILABLE', 503);
    expect(denied.headers['retry-after']).toBe('30');
    expect(denied.headers['www-authenticate']).toBeUndefined();
    expect(denied.body.error).toBe('temporarily_unavailable');
    expect(denied.audit.detail).toBe('endpoint down');
  });

  it('once the fault is gone, the same token is allowed (nothing was cached from the fault)', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    const spy = vi.spyOn(StaticKeySource.prototype, 'resolve').mockRejectedValue(new Error('down'));
    expectInternalDeny(await evaluateToken(token));
    spy.mockRestore();
    expect(expectAllow(await evaluateToken(token)).audit.cacheHit).toBe(false);
  });
});

describe('faulty options or adapters', () => {
  it('a clock that throws → 500 deny, never a rejection', async () => {
    const { mint } = harness();
    const token = mint();
    const { guard, events } = harness({
      guard: {
        clock: () => {
          throw new Error('clock broke');
        },
      },
    });
    expectInternalDeny(await guard.evaluate(bearer(token)));
    expect(events).toHaveLength(1);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'a clock returning %d → 500 deny; no token is accepted against a non-finite time',
    async (time) => {
      const { mint } = harness();
      const token = mint();
      const { guard } = harness({ guard: { clock: () => time } });
      expectInternalDeny(await guard.evaluate(bearer(token)));
    },
  );

  it.each([
    ['empty facts', {}],
    ['headers null', { method: 'GET', target: '/', headers: null }],
    ['no target', { method: 'GET', headers: { authorization: ['Bearer a.b.c'] } }],
    ['a non-string header value', { method: 'GET', target: '/', headers: { authorization: [42] } }],
    ['a non-string correlation header', { method: 'GET', target: '/', headers: { traceparent: [{}] } }],
  ])('malformed facts (%s) → a deny, never a rejection', async (_name, facts) => {
    const { guard, events } = harness();
    const decision = await guard.evaluate(facts as unknown as RequestFacts);
    expect(decision.outcome).toBe('deny');
    expect(events).toHaveLength(1);
  });

  it.each([
    ['an unknown type', { type: 'bogus' }],
    ['scopes that are not a list', { type: 'scopes', match: 'all', scopes: null }],
  ])('a malformed requirement (%s) with a valid token → deny, never allow', async (_name, requirement) => {
    const { guard, mint } = harness();
    const decision = await guard.evaluate(bearer(mint()), requirement as unknown as Requirement);
    expect(decision.outcome).toBe('deny');
  });

  it('evaluate resolves for many concurrent requests mixing faults and valid tokens', async () => {
    const { guard, mint } = harness();
    const token = mint();
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        index % 2 === 0
          ? guard.evaluate(bearer(token))
          : guard.evaluate(requestFacts({ headers: { authorization: 'Bearer x' } })),
      ),
    );
    expect(decisions.filter((decision) => decision.outcome === 'allow')).toHaveLength(25);
  });
});
