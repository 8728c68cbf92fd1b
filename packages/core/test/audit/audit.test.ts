/**
 * The audit trail: exactly one event per evaluated request whatever the outcome, never the token (A12,
 * design §3 "Record"), and a listener that cannot change a decision.
 */
import { hash } from 'node:crypto';
import { requestFacts } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { type AuditEvent, type Decision, requireScopes } from '../../src/index.js';
import { AUDIT_SCHEMA } from '../../src/sinks.js';
import { scenarioHarness, scenarios } from '../scenarios.js';
import { expectAllow, expectDeny, harness, ISSUER, NOW, withAuthorization } from '../support.js';

/** The token an Authorization value carries, or the whole value when it is not "Bearer <token>". */
function tokenOf(facts: { headers: Readonly<Record<string, readonly string[] | undefined>> }): string[] {
  return (facts.headers.authorization ?? []).map((value) => value.replace(/^Bearer +/i, ''));
}

function expectNoTokenText(event: AuditEvent, token: string): void {
  const text = JSON.stringify(event);
  if (token.length < 12) {
    expect(text).not.toContain(token);
    return;
  }
  for (let start = 0; start + 12 <= token.length; start++) {
    const window = token.slice(start, start + 12);
    if (text.includes(window)) expect.fail(`audit event contains token text ${JSON.stringify(window)}`);
  }
}

describe('one event per evaluate', () => {
  it('every outcome emits exactly one event, consistent with the decision', async () => {
    const h = scenarioHarness();
    for (const scenario of scenarios(h)) {
      const before = h.events.length;
      const decision = await h.guard.evaluate(scenario.facts, scenario.requirement);
      expect(h.events.length - before, scenario.name).toBe(1);
      const event = h.events.at(-1) as AuditEvent;
      expect(event).toBe(decision.audit);
      expect(event.schema).toBe(AUDIT_SCHEMA);
      expect(event.outcome).toBe(decision.outcome);
      expect(event.reason).toBe(decision.outcome === 'allow' ? 'OK' : decision.code);
      expect(event.status).toBe(decision.outcome === 'allow' ? 200 : decision.status);
      expect(event.time).toBe(new Date(NOW * 1000).toISOString());
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('with deferAudit nothing is emitted until recordAudit, which emits exactly once with the final status', async () => {
    const { guard, mint, events } = harness();
    const allowed = await guard.evaluate(withAuthorization(`Bearer ${mint()}`), undefined, {
      deferAudit: true,
    });
    const denied = await guard.evaluate(requestFacts(), undefined, { deferAudit: true });
    expect(events).toHaveLength(0);
    guard.recordAudit(allowed, { status: 201, handlerDurationMs: 12.5 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'allow', status: 201, handlerDurationMs: 12.5, reason: 'OK' });
    guard.recordAudit(denied, { status: 401 });
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ outcome: 'deny', status: 401, reason: 'ERR_NO_CREDENTIALS' });
    expect(events[1]).not.toHaveProperty('handlerDurationMs');
  });

  it('a handler failure after an allow is recorded with the final status', async () => {
    const { guard, mint, events } = harness();
    const decision = await guard.evaluate(withAuthorization(`Bearer ${mint()}`), undefined, {
      deferAudit: true,
    });
    guard.recordAudit(decision, { status: 500, handlerDurationMs: 3 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 500, outcome: 'allow', reason: 'OK' });
  });
});

describe('never the token', () => {
  it('the fingerprint is the first 16 characters of base64url(SHA-256(token))', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    const event = (await evaluateToken(token)).audit;
    expect(event.tokenFingerprint).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(event.tokenFingerprint).toBe(hash('sha256', token, 'base64url').slice(0, 16));
  });

  it('no event field holds the token or any 12-character piece of it, for any outcome', async () => {
    const h = scenarioHarness('api');
    for (const scenario of scenarios(h)) {
      const { audit } = await h.guard.evaluate(scenario.facts, scenario.requirement);
      for (const token of tokenOf(scenario.facts)) expectNoTokenText(audit, token);
    }
  });

  it('#31: a query token is neither in the path nor anywhere else in the event', async () => {
    for (const allowQueryToken of [false, true]) {
      const { guard, mint, events } = harness({ guard: { allowQueryToken } });
      const token = mint();
      await guard.evaluate(requestFacts({ target: `/orders/7?access_token=${token}&x=1` }));
      expect(events[0]?.path).toBe('/orders/7');
      expectNoTokenText(events[0] as AuditEvent, token);
    }
  });

  it('the event of an allow describes the principal and the requirement', async () => {
    const { guard, mint, key } = harness();
    const token = mint({ claims: { scope: 'orders:read orders:write', jti: 'jti-1' } });
    const facts = withAuthorization(`Bearer ${token}`, {
      method: 'POST',
      target: '/orders/7?x=1',
      routeId: '/orders/:id',
      remoteAddress: '10.0.0.7',
    });
    const event = expectAllow(await guard.evaluate(facts, requireScopes('orders:write'))).audit;
    expect(event).toMatchObject({
      outcome: 'allow',
      reason: 'OK',
      status: 200,
      method: 'POST',
      path: '/orders/7',
      route: '/orders/:id',
      remoteAddress: '10.0.0.7',
      issuer: ISSUER,
      subject: 'user-1',
      clientId: 'client-1',
      principalKind: 'user',
      tokenId: 'jti-1',
      keyId: key.kid,
      requirement: 'scopes:all',
      requiredScopes: ['orders:write'],
      grantedScopes: ['orders:read', 'orders:write'],
      cacheHit: false,
    });
  });

  it('a refusal after the issuer was recognised names it; an unknown issuer is not recorded', async () => {
    const { mint, evaluateToken } = harness();
    expect(
      expectDeny(await evaluateToken(mint({ claims: { aud: 'other' } })), 'ERR_AUDIENCE_MISMATCH').audit
        .issuer,
    ).toBe(ISSUER);
    const unknown = expectDeny(
      await evaluateToken(mint({ claims: { iss: 'https://evil.test/' } })),
      'ERR_ISSUER_UNKNOWN',
    );
    expect(unknown.audit.issuer).toBeUndefined();
    expect(unknown.audit.subject).toBeUndefined();
  });
});

describe('a faulty listener never changes a decision', () => {
  it('a throwing onAudit leaves allow an allow and deny a deny, and evaluate still resolves', async () => {
    let calls = 0;
    const { guard, mint } = harness({
      guard: {
        onAudit: () => {
          calls++;
          throw new Error('sink down');
        },
      },
    });
    const token = mint();
    const allowed = await guard.evaluate(withAuthorization(`Bearer ${token}`));
    expect(allowed.outcome).toBe('allow');
    const denied = await guard.evaluate(requestFacts());
    expectDeny(denied, 'ERR_NO_CREDENTIALS', 401);
    const deferred = await guard.evaluate(withAuthorization(`Bearer ${token}`), undefined, {
      deferAudit: true,
    });
    expect(() => guard.recordAudit(deferred, { status: 200 })).not.toThrow();
    expect(calls).toBe(3);
  });

  it('a listener that throws a non-Error, or mutates the event, cannot change the returned decision', async () => {
    const { guard, mint } = harness({
      guard: {
        onAudit: (event) => {
          (event as { outcome: string }).outcome = 'allow';
          throw 'string thrown';
        },
      },
    });
    const decision: Decision = await guard.evaluate(
      withAuthorization(`Bearer ${mint({ claims: { aud: 'x' } })}`),
    );
    expect(decision.outcome).toBe('deny');
  });
});
