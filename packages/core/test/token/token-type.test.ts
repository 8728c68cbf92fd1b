/**
 * Explicit typing: checklist AT-2, J-10; attack #29. Other JWT kinds from the same issuer key (ID tokens,
 * logout tokens, SETs, DPoP proofs) must never pass as access tokens.
 */
import { describe, expect, it } from 'vitest';
import { tokenTypeProblem } from '../../src/token/token-type.js';
import { expectAllow, expectDeny, harness } from '../support.js';

describe('AT-2: typ at+jwt (the default policy)', () => {
  it.each(['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+JWT'])(
    'typ %s is accepted',
    async (typ) => {
      const { mint, evaluateToken } = harness();
      expectAllow(await evaluateToken(mint({ header: { typ } })));
    },
  );

  it.each([
    ['JWT', 'JWT'],
    ['missing', undefined],
    ['dpop+jwt', 'dpop+jwt'],
    ['secevent+jwt', 'secevent+jwt'],
    ['logout+jwt', 'logout+jwt'],
    ['application/jwt', 'application/jwt'],
    ['at+jwt with a media-type parameter', 'at+jwt; charset=utf-8'],
    ['at+jwt with a trailing space', 'at+jwt '],
    ['a look-alike', 'x-at+jwt'],
    ['a doubled prefix', 'application/application/at+jwt'],
    ['a number', 1],
    ['an array', ['at+jwt']],
    ['null', null],
  ])('typ %s → 401 invalid_token', async (_name, typ) => {
    const { mint, evaluateToken } = harness();
    const denied = expectDeny(await evaluateToken(mint({ header: { typ } })), 'ERR_TOKEN_TYPE', 401);
    expect(denied.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('#29: an ID token of the same issuer and key, with aud = this API, is refused', async () => {
    const { mint, evaluateToken } = harness();
    const idToken = mint({
      header: { typ: 'JWT' },
      claims: { nonce: 'n-0S6_WzA2Mj', at_hash: 'x', auth_time: 1 },
    });
    expectDeny(await evaluateToken(idToken), 'ERR_TOKEN_TYPE');
  });
});

describe("tokenType: 'jwt-compatible'", () => {
  const compatible = () => harness({ issuer: { tokenType: 'jwt-compatible' } });

  it.each([
    ['at+jwt', 'at+jwt'],
    ['JWT', 'JWT'],
    ['jwt', 'jwt'],
    ['application/jwt', 'application/jwt'],
    ['no typ', undefined],
  ])('accepts an access token typed %s', async (_name, typ) => {
    const { mint, evaluateToken } = compatible();
    expectAllow(await evaluateToken(mint({ header: { typ } })));
  });

  it.each([
    ['an ID token (nonce)', 'JWT', { nonce: 'abc' }],
    ['an ID token (at_hash)', undefined, { at_hash: 'abc' }],
    ['an ID token (c_hash)', 'JWT', { c_hash: 'abc' }],
    ['an ID token (s_hash)', 'JWT', { s_hash: 'abc' }],
    ['a logout token', 'JWT', { events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }],
    ['a logout token typed logout+jwt', 'logout+jwt', { events: {} }],
    [
      'a SET',
      'secevent+jwt',
      { events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': {} } },
    ],
    ['an untyped SET', undefined, { events: {} }],
    ['a DPoP proof', 'dpop+jwt', { htm: 'GET', htu: 'https://api.test/orders' }],
    ['a DPoP proof typed JWT', 'JWT', { htm: 'GET', htu: 'https://api.test/orders' }],
    ['a DPoP proof with ath only', undefined, { ath: 'abc' }],
    ['an unknown JWT kind', 'foo+jwt', {}],
  ])('refuses %s', async (_name, typ, claims) => {
    const { mint, evaluateToken } = compatible();
    expectDeny(await evaluateToken(mint({ header: { typ }, claims })), 'ERR_TOKEN_TYPE', 401);
  });

  it('the default policy refuses the same JWT-typed token the relaxed one accepts', async () => {
    const relaxed = compatible();
    const token = relaxed.mint({ header: { typ: 'JWT' } });
    expectAllow(await relaxed.evaluateToken(token));
    expectDeny(await harness().evaluateToken(token), 'ERR_TOKEN_TYPE');
  });

  it('the problem text is bounded and never interprets the typ', () => {
    const problem = tokenTypeProblem({ typ: `${'x'.repeat(500)}+jwt` }, {}, 'jwt-compatible');
    expect(problem?.length).toBeLessThan(100);
    expect(tokenTypeProblem({ typ: 'at+jwt' }, { nonce: 'n' }, 'jwt-compatible')).toBeUndefined();
  });
});
