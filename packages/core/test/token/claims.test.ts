/**
 * Claims of a verified token: checklist AT-3, AT-7, AT-8, AT-10, AT-13, J-8, J-11; attacks #26, #27, #30.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, createGuard } from '../../src/index.js';
import { validateClaims } from '../../src/token/claims.js';
import {
  AUDIENCE,
  expectAllow,
  expectDeny,
  handmade,
  harness,
  ISSUER,
  NOW,
  testKey,
  validClaims,
} from '../support.js';

describe('AT-3: the RFC 9068 §2.2 claims are required', () => {
  it.each(['exp', 'aud', 'sub', 'client_id', 'iat', 'jti'])(
    'a token without %s → 401 invalid_token',
    async (claim) => {
      const { mint, evaluateToken } = harness();
      const denied = expectDeny(
        await evaluateToken(mint({ claims: { [claim]: undefined } })),
        'ERR_CLAIM_MISSING',
        401,
      );
      expect(denied.body.error).toBe('invalid_token');
      expectDeny(await evaluateToken(mint({ claims: { [claim]: null } })), 'ERR_CLAIM_MISSING', 401);
    },
  );

  it('a token without iss names no trusted issuer → 401', async () => {
    const { mint, evaluateToken } = harness();
    expectDeny(await evaluateToken(mint({ claims: { iss: undefined } })), 'ERR_ISSUER_UNKNOWN', 401);
  });

  it('requiredClaims can relax sub/client_id/iat/jti but never iss, exp or aud', async () => {
    const { mint, evaluateToken } = harness({ issuer: { requiredClaims: ['sub'] } });
    expectAllow(await evaluateToken(mint({ claims: { client_id: undefined, jti: undefined } })));
    expectDeny(await evaluateToken(mint({ claims: { sub: undefined } })), 'ERR_CLAIM_MISSING');
    expectDeny(await evaluateToken(mint({ claims: { exp: undefined } })), 'ERR_CLAIM_MISSING');
    expectDeny(await evaluateToken(mint({ claims: { aud: undefined } })), 'ERR_CLAIM_MISSING');
    const none = harness({ issuer: { requiredClaims: [] } });
    expectDeny(await none.evaluateToken(none.mint({ claims: { exp: undefined } })), 'ERR_CLAIM_MISSING');
  });

  it('requiredClaims can add provider claims', async () => {
    const { mint, evaluateToken } = harness({
      issuer: { requiredClaims: ['iss', 'exp', 'aud', 'sub', 'tid'] },
    });
    expectDeny(await evaluateToken(mint()), 'ERR_CLAIM_MISSING');
    expectAllow(await evaluateToken(mint({ claims: { tid: 'tenant' } })));
  });
});

describe('AT-7: the issuer matches exactly', () => {
  it.each([
    ['without the trailing slash', ISSUER.slice(0, -1)],
    ['with a second slash', `${ISSUER}/`],
    ['in upper case', ISSUER.toUpperCase()],
    ['with a default port', 'https://idp.test:443/'],
    ['as an array', [ISSUER]],
    ['as an object', { iss: ISSUER }],
  ])('iss %s → 401', async (_name, iss) => {
    const { mint, evaluateToken } = harness();
    expectDeny(await evaluateToken(mint({ claims: { iss } })), 'ERR_ISSUER_UNKNOWN', 401);
  });
});

describe('AT-8/J-8/#27/#30: the audience names this API', () => {
  it.each([
    ['a string', AUDIENCE],
    ['an array with it', [AUDIENCE]],
    ['an array with another service first', ['https://other.test', AUDIENCE]],
  ])('aud as %s is accepted', async (_name, aud) => {
    const { mint, evaluateToken } = harness();
    expectAllow(await evaluateToken(mint({ claims: { aud } })));
  });

  it.each([
    ['another service (#30)', 'https://other.test', 'ERR_AUDIENCE_MISMATCH'],
    ['an array of another service', ['https://other.test'], 'ERR_AUDIENCE_MISMATCH'],
    ['in another case', AUDIENCE.toUpperCase(), 'ERR_AUDIENCE_MISMATCH'],
    ['with a trailing slash', `${AUDIENCE}/`, 'ERR_AUDIENCE_MISMATCH'],
    ['a prefix of it', AUDIENCE.slice(0, -1), 'ERR_AUDIENCE_MISMATCH'],
    ['an empty array', [], 'ERR_CLAIM_INVALID'],
    ['an object', {}, 'ERR_CLAIM_INVALID'],
    ['an object with our audience', { aud: AUDIENCE }, 'ERR_CLAIM_INVALID'],
    ['an array with a non-string', [AUDIENCE, 1], 'ERR_CLAIM_INVALID'],
    ['a nested array', [[AUDIENCE]], 'ERR_CLAIM_INVALID'],
    ['a number', 1, 'ERR_CLAIM_INVALID'],
    ['missing', undefined, 'ERR_CLAIM_MISSING'],
  ] as const)('aud as %s → 401', async (_name, aud, code) => {
    const { mint, evaluateToken } = harness();
    expectDeny(await evaluateToken(mint({ claims: { aud } })), code, 401);
  });

  it('AT-13: with several configured audiences, any one named is enough; others are not', async () => {
    const { mint, evaluateToken } = harness({ issuer: { audience: [AUDIENCE, 'urn:api:orders'] } });
    expectAllow(await evaluateToken(mint({ claims: { aud: 'urn:api:orders' } })));
    expectAllow(await evaluateToken(mint({ claims: { aud: ['x', 'urn:api:orders'] } })));
    expectDeny(await evaluateToken(mint({ claims: { aud: 'urn:api:billing' } })), 'ERR_AUDIENCE_MISMATCH');
  });
});

describe('AT-10/J-11/#26: time', () => {
  it('exp = now − 1 with tolerance 0 → 401 expired; exp = now → expired; exp = now + 1 → allowed', async () => {
    const { mint, evaluateToken } = harness({ guard: { clockToleranceSeconds: 0 } });
    const denied = expectDeny(
      await evaluateToken(mint({ claims: { exp: NOW - 1 } })),
      'ERR_TOKEN_EXPIRED',
      401,
    );
    expect(denied.body.error_description).toBe('The access token expired');
    expectDeny(await evaluateToken(mint({ claims: { exp: NOW } })), 'ERR_TOKEN_EXPIRED');
    expectAllow(await evaluateToken(mint({ claims: { exp: NOW + 1 } })));
  });

  it('an expired token within the tolerance is accepted; at the tolerance it is not', async () => {
    const { mint, evaluateToken } = harness({ guard: { clockToleranceSeconds: 30 } });
    expectAllow(await evaluateToken(mint({ claims: { iat: NOW - 300, exp: NOW - 29 } })));
    expectDeny(await evaluateToken(mint({ claims: { iat: NOW - 300, exp: NOW - 30 } })), 'ERR_TOKEN_EXPIRED');
  });

  it('the default tolerance is 5 seconds', async () => {
    const { mint, evaluateToken } = harness();
    expectAllow(await evaluateToken(mint({ claims: { exp: NOW - 4 } })));
    expectDeny(await evaluateToken(mint({ claims: { exp: NOW - 5 } })), 'ERR_TOKEN_EXPIRED');
  });

  it('J-11: nbf in the future → 401; within tolerance → allowed', async () => {
    const { mint, evaluateToken } = harness();
    expectDeny(await evaluateToken(mint({ claims: { nbf: NOW + 600 } })), 'ERR_TOKEN_NOT_YET_VALID', 401);
    expectAllow(await evaluateToken(mint({ claims: { nbf: NOW + 3 } })));
  });

  it('#26: iat one year ahead → 401; a few seconds ahead (clock skew) → allowed', async () => {
    const { mint, evaluateToken } = harness();
    const year = 365 * 86_400;
    expectDeny(
      await evaluateToken(mint({ claims: { iat: NOW + year, exp: NOW + year + 300 } })),
      'ERR_TOKEN_ISSUED_IN_FUTURE',
      401,
    );
    expectDeny(await evaluateToken(mint({ claims: { iat: NOW + year } })), 'ERR_TOKEN_ISSUED_IN_FUTURE', 401);
    expectAllow(await evaluateToken(mint({ claims: { iat: NOW + 3 } })));
  });

  it.each([
    ['exp', '1e999'],
    ['exp', '-1e999'],
    ['nbf', '-1e999'],
    ['iat', '-1e999'],
    ['exp', '"1750000300"'],
    ['exp', 'true'],
    ['exp', '[1750000300]'],
    ['nbf', '"0"'],
    ['auth_time', '1e999'],
  ])('#26: %s = %s (raw JSON text) → 401 invalid claim', async (claim, json) => {
    const { key, evaluateToken } = harness();
    const claims = JSON.stringify(validClaims({ [claim]: undefined }));
    const payload = `${claims.slice(0, -1)},"${claim}":${json}}`;
    expectDeny(
      await evaluateToken(handmade(key, { alg: 'ES256', typ: 'at+jwt', kid: key.kid }, payload)),
      'ERR_CLAIM_INVALID',
      401,
    );
  });

  it('#26: a 10-year lifetime, or a huge finite exp, → 401 lifetime too long', async () => {
    const { mint, evaluateToken } = harness();
    expectDeny(
      await evaluateToken(mint({ lifetime: 10 * 365 * 86_400 })),
      'ERR_TOKEN_LIFETIME_TOO_LONG',
      401,
    );
    expectDeny(await evaluateToken(mint({ claims: { exp: 1e300 } })), 'ERR_TOKEN_LIFETIME_TOO_LONG', 401);
    // An old iat cannot be used to stretch the lifetime either.
    expectDeny(
      await evaluateToken(mint({ claims: { iat: NOW - 2 * 86_400, exp: NOW + 60 } })),
      'ERR_TOKEN_LIFETIME_TOO_LONG',
    );
    expectAllow(await evaluateToken(mint({ lifetime: 86_400 })));
  });

  it('maxLifetimeSeconds sets the cap', async () => {
    const { mint, evaluateToken } = harness({ issuer: { maxLifetimeSeconds: 600 } });
    expectAllow(await evaluateToken(mint({ lifetime: 600 })));
    expectDeny(await evaluateToken(mint({ lifetime: 601 })), 'ERR_TOKEN_LIFETIME_TOO_LONG');
  });

  it('maxTokenAgeSeconds refuses tokens issued too long ago', async () => {
    const { mint, evaluateToken } = harness({
      issuer: { maxTokenAgeSeconds: 600 },
      guard: { clockToleranceSeconds: 0 },
    });
    expectAllow(await evaluateToken(mint({ claims: { iat: NOW - 600, exp: NOW + 60 } })));
    expectDeny(
      await evaluateToken(mint({ claims: { iat: NOW - 601, exp: NOW + 60 } })),
      'ERR_TOKEN_TOO_OLD',
      401,
    );
    const relaxed = harness({ issuer: { maxTokenAgeSeconds: 600, requiredClaims: ['sub'] } });
    expectDeny(
      await relaxed.evaluateToken(relaxed.mint({ claims: { iat: undefined } })),
      'ERR_CLAIM_MISSING',
    );
  });

  it('AT-10: a tolerance beyond a few minutes is a ConfigError', () => {
    const issuers = [{ issuer: ISSUER, audience: AUDIENCE, keys: [testKey().jwk] }];
    expect(() => createGuard({ issuers, clockToleranceSeconds: 300 })).not.toThrow();
    expect(() => createGuard({ issuers, clockToleranceSeconds: 301 })).toThrow(ConfigError);
    expect(() => createGuard({ issuers, clockToleranceSeconds: -1 })).toThrow(/clockToleranceSeconds/);
  });
});

describe('claim types', () => {
  it.each([
    ['sub', 42],
    ['sub', { id: 'x' }],
    ['client_id', ['client-1']],
    ['jti', 7],
    ['azp', false],
    ['acr', 2],
    ['amr', 'pwd'],
    ['amr', ['pwd', 1]],
    ['auth_time', '1700000000'],
  ])('%s = %j → 401 invalid claim', async (claim, value) => {
    const { mint, evaluateToken } = harness();
    expectDeny(await evaluateToken(mint({ claims: { [claim]: value } })), 'ERR_CLAIM_INVALID', 401);
  });
});

describe('AT-3: identifier claims are present *and* non-blank (RFC 9068 §2.2)', () => {
  it.each(['sub', 'jti', 'client_id', 'azp', 'cid', 'appid'])(
    'an empty or whitespace-only %s → 401 ERR_CLAIM_INVALID',
    async (claim) => {
      const { mint, evaluateToken, events } = harness();
      for (const blank of ['', ' ', '\t\n', '\u00a0\u2003']) {
        const denied = expectDeny(
          await evaluateToken(mint({ claims: { [claim]: blank } })),
          'ERR_CLAIM_INVALID',
          401,
        );
        expect(denied.body.error).toBe('invalid_token');
        expect(events.at(-1)?.detail).toBe(`${claim} is empty or blank`);
      }
      expectAllow(await evaluateToken(mint({ claims: { [claim]: ' x ' } })));
    },
  );

  it('an empty or blank iss names no trusted issuer, and an issuer cannot be configured blank', async () => {
    const { mint, evaluateToken } = harness();
    for (const iss of ['', '   ']) {
      expectDeny(await evaluateToken(mint({ claims: { iss } })), 'ERR_ISSUER_UNKNOWN', 401);
    }
    expect(() => createGuard({ issuers: [{ issuer: '', audience: AUDIENCE }] })).toThrow(ConfigError);
  });

  it('a blank iss is refused by the claim rules themselves, whatever issuer table is consulted', () => {
    const rules = {
      audiences: new Set([AUDIENCE]),
      requiredClaims: [],
      clockToleranceSeconds: 0,
      maxTokenAgeSeconds: undefined,
      maxLifetimeSeconds: 86_400,
    };
    expect(validateClaims(validClaims({ iss: ' ' }), rules, NOW)).toEqual({
      code: 'ERR_CLAIM_INVALID',
      detail: 'iss is empty or blank',
    });
    expect(validateClaims(validClaims(), rules, NOW)).toBeUndefined();
  });
});
