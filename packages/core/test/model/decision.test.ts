/**
 * What the client receives: checklist B-7…B-11, AT-11; attack #43. Statuses and challenges come from one
 * table; descriptions are fixed strings; nothing from the token ever reaches a header or the body.
 */
import { parseChallenges } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { ConfigError, createGuard, type Decision, ERROR_TABLE, type ErrorCode } from '../../src/index.js';
import { formatChallenge, toChallengeValue } from '../../src/model/challenge.js';
import { denyResponse } from '../../src/model/decision.js';
import { CANARY, scenarioHarness, scenarios } from '../scenarios.js';
import { AUDIENCE, ISSUER, testKey } from '../support.js';

const CODES = Object.keys(ERROR_TABLE) as Exclude<ErrorCode, 'ERR_CONFIG'>[];
const VERIFICATION_CODES = CODES.filter(
  (code) =>
    ![
      'ERR_NO_CREDENTIALS',
      'ERR_MALFORMED_CREDENTIALS',
      'ERR_MULTIPLE_CREDENTIALS',
      'ERR_INSUFFICIENT_SCOPE',
      'ERR_KEYS_UNAVAILABLE',
      'ERR_INTERNAL',
    ].includes(code),
);

async function evaluateAll(
  realm?: string,
): Promise<{ name: string; expected: string; decision: Decision }[]> {
  const h = scenarioHarness(realm);
  const results = [];
  for (const scenario of scenarios(h)) {
    results.push({
      name: scenario.name,
      expected: scenario.expected,
      decision: await h.guard.evaluate(scenario.facts, scenario.requirement),
    });
  }
  return results;
}

describe('every outcome, through the guard', () => {
  it('each scenario reaches its intended outcome (the battery below tests what it claims)', async () => {
    for (const { name, expected, decision } of await evaluateAll()) {
      expect(decision.outcome === 'allow' ? 'OK' : decision.code, name).toBe(expected);
    }
  });

  it.each([undefined, 'api'])(
    'B-8/B-11: every 400/401/403 carries one parseable Bearer challenge (realm %s)',
    async (realm) => {
      for (const { name, decision } of await evaluateAll(realm)) {
        if (decision.outcome === 'allow') continue;
        const header = decision.headers['www-authenticate'];
        expect(header, name).toBeDefined();
        const challenges = parseChallenges(header as string);
        expect(challenges, name).toHaveLength(1);
        expect(challenges[0]?.scheme).toBe('Bearer');
        if (realm) expect(challenges[0]?.params.realm).toBe(realm);
        else expect(challenges[0]?.params.realm).toBeUndefined();
        if (decision.status !== 401 || decision.code !== 'ERR_NO_CREDENTIALS') {
          expect(challenges[0]?.params.error, name).toBe(decision.body.error);
        }
      }
    },
  );

  it('every deny is Cache-Control: no-store with a JSON body of the fixed description', async () => {
    for (const { name, decision } of await evaluateAll()) {
      if (decision.outcome === 'allow') continue;
      expect(decision.headers['cache-control'], name).toBe('no-store');
      expect(decision.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(decision.body.error_description).toBe(ERROR_TABLE[decision.code].description);
      expect(Object.keys(decision.body).sort()).toEqual(['error', 'error_description']);
    }
  });

  it('B-10/#43: no token content (claims, kid, typ, iss, aud) ever reaches a header or the body', async () => {
    for (const { name, decision } of await evaluateAll('api')) {
      const wire = JSON.stringify(
        decision.outcome === 'deny' ? [decision.headers, decision.body] : decision.headers,
      );
      expect(wire, name).not.toContain(CANARY);
      for (const value of Object.values(decision.headers)) expect(value).not.toMatch(/[\r\n]/);
    }
  });

  it('B-9/AT-11: every token validation failure is 401 invalid_token', async () => {
    for (const { name, decision } of await evaluateAll()) {
      if (decision.outcome === 'allow' || !VERIFICATION_CODES.includes(decision.code)) continue;
      expect(decision.status, name).toBe(401);
      expect(decision.body.error).toBe('invalid_token');
      expect(decision.headers['www-authenticate']).toContain('error="invalid_token"');
    }
  });

  it('B-7: without credentials the challenge carries no error information', async () => {
    const results = await evaluateAll('api');
    const missing = results.find((result) => result.expected === 'ERR_NO_CREDENTIALS')?.decision;
    expect(missing?.outcome).toBe('deny');
    expect(missing?.headers['www-authenticate']).toBe('Bearer realm="api"');
    const bare = (await evaluateAll()).find((result) => result.expected === 'ERR_NO_CREDENTIALS')?.decision;
    expect(bare?.headers['www-authenticate']).toBe('Bearer');
    if (bare?.outcome === 'deny') expect(bare.status).toBe(401);
  });

  it('an allow carries no challenge and no no-store', async () => {
    for (const { decision } of await evaluateAll()) {
      if (decision.outcome !== 'allow') continue;
      expect(decision.headers['www-authenticate']).toBeUndefined();
      expect(decision.headers['cache-control']).toBeUndefined();
    }
  });
});

describe('the error table, for every code', () => {
  it.each(CODES)('%s: status, challenge and body agree (B-8, B-10, B-11)', (code) => {
    const spec = ERROR_TABLE[code];
    for (const realm of [undefined, 'api', '']) {
      const response = denyResponse(code, { realm, retryAfterSeconds: 7 });
      expect(response.status).toBe(spec.status);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['retry-after']).toBe('7');
      expect(response.body.error_description).toBe(spec.description);
      // RFC 6750 §3: the description's characters are %x20-21 / %x23-5B / %x5D-7E.
      expect(spec.description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
      const challenge = response.headers['www-authenticate'];
      if ([400, 401, 403].includes(spec.status)) {
        const [parsed] = parseChallenges(challenge as string);
        expect(parsed?.params.error).toBe(spec.error);
        if (spec.error) expect(parsed?.params.error_description).toBe(spec.description);
        else expect(parsed?.params.error_description).toBeUndefined();
        if (realm !== undefined) expect(parsed?.params.realm).toBe(realm);
      } else {
        expect(challenge).toBeUndefined();
      }
    }
  });

  it('RFC 6750 §3.1 statuses: invalid_request 400, invalid_token 401, insufficient_scope 403', () => {
    for (const spec of Object.values(ERROR_TABLE)) {
      if (spec.error === 'invalid_request') expect(spec.status).toBe(400);
      if (spec.error === 'invalid_token') expect(spec.status).toBe(401);
      if (spec.error === 'insufficient_scope') expect(spec.status).toBe(403);
    }
    expect(ERROR_TABLE.ERR_NO_CREDENTIALS).toMatchObject({ status: 401 });
    expect(ERROR_TABLE.ERR_NO_CREDENTIALS.error).toBeUndefined();
    expect(ERROR_TABLE.ERR_KEYS_UNAVAILABLE.status).toBe(503);
    expect(ERROR_TABLE.ERR_INTERNAL.status).toBe(500);
  });

  it('a 503 carries Retry-After and no challenge; without a delay, no Retry-After', () => {
    const unavailable = denyResponse('ERR_KEYS_UNAVAILABLE', { realm: 'api', retryAfterSeconds: 30 });
    expect(unavailable.headers).toEqual({
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'retry-after': '30',
    });
    expect(denyResponse('ERR_INTERNAL', {}).headers['retry-after']).toBeUndefined();
  });
});

describe('B-10: challenge values cannot break out', () => {
  it('toChallengeValue replaces quotes, backslashes, control and non-ASCII characters', () => {
    expect(toChallengeValue('a"b\\c\r\nd\u00e9\u0000e')).toBe('a?b?c??d??e');
    expect(toChallengeValue('orders:read orders:write')).toBe('orders:read orders:write');
  });

  it('formatChallenge output always parses, whatever the values', () => {
    const values = ['"', '\\', '\r\n', 'é', '\u0000', 'a, error="x"', '" , realm="evil'];
    for (const value of values) {
      const header = formatChallenge('Bearer', {
        realm: value,
        error: 'invalid_token',
        error_description: value,
        scope: value,
      });
      const [parsed] = parseChallenges(header);
      expect(Object.keys(parsed?.params ?? {}).sort()).toEqual([
        'error',
        'error_description',
        'realm',
        'scope',
      ]);
      expect(parsed?.params.error).toBe('invalid_token');
    }
    expect(formatChallenge('Bearer', {})).toBe('Bearer');
  });
});

describe('realm', () => {
  const issuers = [{ issuer: ISSUER, audience: AUDIENCE, keys: [testKey().jwk] }];

  it.each(['a"b', 'a\\b', 'a\r\nb', 'r\u00e9alm'])('realm %j is a ConfigError naming realm', (realm) => {
    expect(() => createGuard({ issuers, realm })).toThrow(ConfigError);
    expect(() => createGuard({ issuers, realm })).toThrow(/realm/);
  });

  it('a printable realm is placed first in every challenge', async () => {
    for (const { decision } of await evaluateAll('my api')) {
      if (decision.outcome === 'deny' && decision.headers['www-authenticate']) {
        expect(decision.headers['www-authenticate']).toMatch(/^Bearer realm="my api"/);
      }
    }
  });
});
