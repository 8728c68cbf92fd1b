/**
 * RFC 7662 introspection of opaque access tokens (checklist A6, I-1 … I-7) against a real introspection
 * endpoint on 127.0.0.1: what is sent, how answers become principals, the answer cache (never a decision:
 * the shape of Ory Oathkeeper's CVE-2021-32701), the negative cache, single flight, and the faults that
 * must end in 503 and never in an allow.
 */
import { bearer, type IntrospectionServer, startIntrospectionServer } from '@nevertrust/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createGuard, type IntrospectionOptions, requireScopes } from '../../src/index.js';
import { DEFAULT_BREAKER } from '../../src/token/introspection-breaker.js';

const { failures: FAILURES_TO_OPEN, openMs: OPEN_MS } = DEFAULT_BREAKER;

import { AUDIENCE, expectAllow, expectDeny, harness, ISSUER, NOW, testKey } from '../support.js';
import { introspectingHarness, knownToken } from './introspection-support.js';

const CLIENT = { clientId: 'api-resource', clientSecret: 'introspection secret: with spaces' };
let server: IntrospectionServer;

beforeAll(async () => {
  server = await startIntrospectionServer(CLIENT);
});
afterAll(() => server.close());
afterEach(() => {
  server.setMode('up');
  server.setDelay(0);
});

const opaque = (answer: Record<string, unknown> = {}) => knownToken(server, NOW, answer);

const introspecting = (introspection: Partial<IntrospectionOptions> = {}) =>
  introspectingHarness(server, { ...CLIENT, timeoutMs: 300, ...introspection });

describe('introspection requests and answers (A6)', () => {
  it('I-1, I-2: POSTs the token form-encoded with token_type_hint, authenticated by client_secret_basic', async () => {
    const { evaluateToken } = introspecting();
    const token = opaque();
    const before = server.requests.length;
    expectAllow(await evaluateToken(token, requireScopes('a')));
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      token,
      hint: 'access_token',
    });
  });

  it('I-3: an active answer becomes the same principal a JWT does, scopes from `scope`', async () => {
    const { evaluateToken } = introspecting();
    const decision = expectAllow(await evaluateToken(opaque({ scope: 'a b' }), requireScopes('b')));
    expect(decision.principal).toMatchObject({
      subject: 'user-1',
      clientId: 'client-1',
      issuer: ISSUER,
      audience: [AUDIENCE],
      scopes: ['a', 'b'],
      expiresAt: NOW + 600,
      binding: { type: 'none' },
    });
    expect(decision.principal?.claims.active).toBeUndefined();
  });

  it('I-4: an unknown or inactive token → 401 invalid_token ERR_TOKEN_INACTIVE', async () => {
    const { evaluateToken } = introspecting();
    const decision = expectDeny(await evaluateToken('never-issued-token'), 'ERR_TOKEN_INACTIVE', 401);
    expect(decision.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it.each([
    ['active as the string "true" (I-3)', { active: 'true' }, 'ERR_TOKEN_INACTIVE'],
    ['another audience (I-7)', { aud: 'https://other.api' }, 'ERR_AUDIENCE_MISMATCH'],
    ['another issuer (I-7)', { iss: 'https://evil.test/' }, 'ERR_CLAIM_INVALID'],
    ['no exp (I-5)', { exp: undefined }, 'ERR_CLAIM_MISSING'],
    ['no aud (I-7)', { aud: undefined }, 'ERR_CLAIM_MISSING'],
    ['exp in the past (I-5)', { exp: NOW - 60 }, 'ERR_TOKEN_EXPIRED'],
  ] as const)('%s → refused', async (_name, answer, code) => {
    const { evaluateToken } = introspecting();
    expectDeny(await evaluateToken(opaque(answer as Record<string, unknown>)), code, 401);
  });

  it('a JWT is still verified locally in the default mode: no introspection call', async () => {
    const { evaluateToken, mint, calls } = introspecting();
    const before = calls();
    expectAllow(await evaluateToken(mint()));
    expect(calls()).toBe(before);
  });

  it("mode 'all': a JWT of this issuer is introspected too", async () => {
    const { evaluateToken, mint, calls } = introspecting({ mode: 'all' });
    const jwt = mint();
    server.setToken(jwt, { aud: AUDIENCE, exp: NOW + 60, scope: 'a' });
    const before = calls();
    expectAllow(await evaluateToken(jwt));
    expect(calls()).toBe(before + 1);
    server.revoke(jwt);
  });

  it('cnf.jkt in the answer binds the token: presented as Bearer it is refused (RFC 9449 §6.2)', async () => {
    const { evaluateToken } = introspecting();
    const token = opaque({ cnf: { jkt: 'A'.repeat(43) } });
    expectDeny(await evaluateToken(token), 'ERR_TOKEN_BOUND', 401);
  });
});

describe('the answer cache holds verified tokens, never decisions (I-5)', () => {
  it('CVE-2021-32701 shape: a token allowed on route A (scope a) is refused on route B (scope b) on a cache hit', async () => {
    const { evaluateToken, events, calls } = introspecting();
    const token = opaque({ scope: 'a' });
    const before = calls();
    expectAllow(await evaluateToken(token, requireScopes('a')));
    expectDeny(await evaluateToken(token, requireScopes('b')), 'ERR_INSUFFICIENT_SCOPE', 403);
    expect(calls()).toBe(before + 1);
    expect(events.at(-1)?.cacheHit).toBe(true);
  });

  it('an active answer is reused until cacheTtlSeconds, then asked again: a revocation is seen within the bound', async () => {
    const { evaluateToken, clock, calls } = introspecting({ cacheTtlSeconds: 5 });
    const token = opaque();
    const before = calls();
    expectAllow(await evaluateToken(token));
    server.revoke(token);
    clock.seconds += 4;
    expectAllow(await evaluateToken(token));
    expect(calls()).toBe(before + 1);
    clock.seconds += 2;
    expectDeny(await evaluateToken(token), 'ERR_TOKEN_INACTIVE');
    expect(calls()).toBe(before + 2);
  });

  it('I-5: never served beyond exp, even within cacheTtlSeconds', async () => {
    const { evaluateToken, clock } = introspecting({ cacheTtlSeconds: 600 });
    const token = opaque({ exp: NOW + 3 });
    expectAllow(await evaluateToken(token));
    clock.seconds += 10;
    // The provider would still say active (it keeps the token); the API's own exp check refuses.
    expectDeny(await evaluateToken(token), 'ERR_TOKEN_EXPIRED');
  });

  it('an inactive answer is reused briefly (negative cache), then asked again', async () => {
    const { evaluateToken, clock, calls } = introspecting({ inactiveCacheTtlSeconds: 10 });
    const before = calls();
    expectDeny(await evaluateToken('unknown-token-negative'), 'ERR_TOKEN_INACTIVE');
    expectDeny(await evaluateToken('unknown-token-negative'), 'ERR_TOKEN_INACTIVE');
    expect(calls()).toBe(before + 1);
    clock.seconds += 11;
    expectDeny(await evaluateToken('unknown-token-negative'), 'ERR_TOKEN_INACTIVE');
    expect(calls()).toBe(before + 2);
  });

  it('concurrent requests with the same new token share one call (single flight)', async () => {
    const { evaluateToken, calls } = introspecting();
    server.setDelay(50);
    const token = opaque();
    const before = calls();
    const decisions = await Promise.all(Array.from({ length: 8 }, () => evaluateToken(token)));
    for (const decision of decisions) expectAllow(decision);
    expect(calls()).toBe(before + 1);
  });
});

describe('a provider that cannot answer: 503 with Retry-After, never an allow, never cached', () => {
  it.each(['hang', 'error', 'garbage', 'redirect', 'huge'] as const)(
    '%s → 503 ERR_INTROSPECTION_UNAVAILABLE, then allowed once the provider answers',
    async (mode) => {
      const { evaluateToken, reports } = introspecting();
      const token = opaque();
      server.setMode(mode);
      const started = Date.now();
      const decision = expectDeny(await evaluateToken(token), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(Number(decision.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(reports.at(-1)).toMatchObject({ issuer: ISSUER, outcome: 'unavailable' });
      server.setMode('up');
      expectAllow(await evaluateToken(token));
      expect(reports.at(-1)).toMatchObject({ outcome: 'active' });
    },
  );

  it(`the circuit opens after ${FAILURES_TO_OPEN} consecutive failures: refused without a call, until OPEN_MS passed`, async () => {
    const { evaluateToken, clock, calls, reports } = introspecting();
    server.setMode('error');
    for (let index = 0; index < FAILURES_TO_OPEN; index++) {
      expectDeny(await evaluateToken(opaque()), 'ERR_INTROSPECTION_UNAVAILABLE');
    }
    server.setMode('up');
    const before = calls();
    const fast = expectDeny(await evaluateToken(opaque()), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
    expect(calls()).toBe(before);
    expect(Number(fast.headers['retry-after'])).toBe(OPEN_MS / 1000);
    expect(reports.at(-1)?.outcome).toBe('circuit-open');
    clock.ms += OPEN_MS;
    expectAllow(await evaluateToken(opaque()));
    expect(calls()).toBe(before + 1);
  });
});

describe('which issuer an opaque token goes to', () => {
  const second = { ...CLIENT, endpoint: 'http://127.0.0.1:9/introspect' };
  const issuers = (defaults: [boolean, boolean]) => [
    {
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [testKey().jwk],
      introspection: { ...second, default: defaults[0] },
    },
    {
      issuer: 'https://idp2.test/',
      audience: AUDIENCE,
      keys: [testKey().jwk],
      introspection: { ...second, default: defaults[1] },
    },
  ];

  it('several introspecting issuers without exactly one default → ConfigError at start-up', () => {
    expect(() => createGuard({ issuers: issuers([false, false]) })).toThrow(ConfigError);
    expect(() => createGuard({ issuers: issuers([true, true]) })).toThrow(/introspection.default/);
    expect(() => createGuard({ issuers: issuers([false, true]) })).not.toThrow();
  });

  it('the client secret is never echoed in a ConfigError', () => {
    const bad = { issuer: ISSUER, audience: AUDIENCE, introspection: { ...CLIENT, timeoutMs: -1 } };
    expect(() => createGuard({ issuers: [bad] })).toThrow(ConfigError);
    try {
      createGuard({ issuers: [bad] });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(CLIENT.clientSecret);
    }
  });

  it('an http endpoint off loopback is refused at start-up (I-6: TLS to the provider)', () => {
    const issuer = {
      issuer: ISSUER,
      audience: AUDIENCE,
      introspection: { ...CLIENT, endpoint: 'http://idp.example.com/introspect' },
    };
    expect(() => createGuard({ issuers: [issuer] })).toThrow(/introspection.endpoint/);
  });

  it('the request never carries the token anywhere but the form body', async () => {
    const { evaluateToken } = introspecting();
    const token = opaque();
    await evaluateToken(token);
    const last = server.requests.at(-1);
    expect(last?.authorization).not.toContain(token);
    expect(last?.token).toBe(token);
  });

  it('the operational log names an unreachable provider once, and its recovery, never the token', async () => {
    const lines: { level: string; details: Record<string, unknown> }[] = [];
    const logger = {
      error: (details: Record<string, unknown>) => lines.push({ level: 'error', details }),
      warn: (details: Record<string, unknown>) => lines.push({ level: 'warn', details }),
      info: (details: Record<string, unknown>) => lines.push({ level: 'info', details }),
    };
    const { guard } = harness({
      issuer: { introspection: { ...CLIENT, endpoint: server.endpoint, timeoutMs: 300 } },
      guard: { logger },
    });
    const token = opaque();
    server.setMode('error');
    await guard.evaluate(bearer(token));
    await guard.evaluate(bearer(opaque()));
    server.setMode('up');
    expectAllow(await guard.evaluate(bearer(token)));
    expect(lines.map((line) => [line.level, line.details.code])).toEqual([
      ['error', 'ERR_INTROSPECTION_UNAVAILABLE'],
      ['info', 'INTROSPECTION_RECOVERED'],
    ]);
    expect(JSON.stringify(lines)).not.toContain(token);
  });
});
