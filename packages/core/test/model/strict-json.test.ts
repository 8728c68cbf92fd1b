/**
 * Strict JSON for JOSE headers and claim sets: checklist J-13; attacks #21 (duplicate names, parser
 * differentials) and #22 (`__proto__`).
 */
import { describe, expect, it } from 'vitest';
import { parseStrictJsonObject } from '../../src/model/strict-json.js';
import { expectAllow, expectDeny, handmade, harness, validClaims } from '../support.js';

const CLAIMS = JSON.stringify(validClaims()).slice(1, -1);

describe('parseStrictJsonObject', () => {
  it.each([
    ['a top-level duplicate', '{"a":1,"a":2}'],
    ['a duplicate with other members between', '{"a":1,"b":{"c":1},"a":2}'],
    ['an escaped duplicate "a" / "\\u0061"', '{"a":1,"\\u0061":2}'],
    ['an escaped duplicate with uppercase hex', '{"\\u0041":1,"A":2}'],
    ['a duplicate with an escaped quote inside', '{"a\\"b":1,"a\\u0022b":2}'],
    ['a duplicate in a nested object', '{"x":{"a":1,"a":2}}'],
    ['a duplicate in an object inside an array', '{"x":[1,{"a":1,"a":2}]}'],
    ['a duplicate after a nested array', '{"a":[{"a":1}],"a":2}'],
    ['a duplicate with whitespace around', '{ "a" : 1 ,\n "a" : 2 }'],
  ])('#21/J-13: %s is refused', (_name, text) => {
    expect(parseStrictJsonObject(text)).toMatchObject({ ok: false });
  });

  it.each([
    ['at the top', '{"__proto__":{"admin":true}}'],
    ['nested', '{"a":{"__proto__":{"admin":true}}}'],
    ['inside an array', '{"a":[{"__proto__":{}}]}'],
    ['escaped', '{"\\u005f_proto__":{"admin":true}}'],
    ['fully escaped', '{"\\u005f\\u005f\\u0070roto\\u005f\\u005f":1}'],
    ['with a null value', '{"__proto__":null}'],
  ])('#22: a "__proto__" member %s is refused', (_name, text) => {
    const result = parseStrictJsonObject(text);
    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it.each([
    ['the same name in different objects', '{"a":{"a":1},"b":[{"a":1},{"a":2}]}'],
    ['names that only look alike', '{"a":1,"A":2,"a ":3,"\\u00e1":4}'],
    ['"__proto__" as a string value', '{"a":"__proto__","b":["__proto__"]}'],
    ['a duplicate hidden inside a string value', '{"x":"{\\"a\\":1,\\"a\\":2}"}'],
    ['escaped backslashes before a quote', '{"a\\\\":1,"a\\\\\\\\":2}'],
    ['constructor and prototype names', '{"constructor":{"prototype":{"x":1}}}'],
    ['empty names, once each per object', '{"":1,"o":{"":2}}'],
  ])('%s is accepted', (_name, text) => {
    const result = parseStrictJsonObject(text);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.value).toEqual(JSON.parse(text));
  });

  it.each([
    ['an array', '[{"a":1}]'],
    ['a string', '"x"'],
    ['null', 'null'],
    ['a number', '1'],
    ['invalid JSON', '{"a":}'],
    ['empty text', ''],
  ])('%s is not a JSON object', (_name, text) => {
    expect(parseStrictJsonObject(text).ok).toBe(false);
  });

  it('the reason names the offending member without echoing more than 40 characters', () => {
    const long = 'n'.repeat(500);
    const result = parseStrictJsonObject(`{"${long}":1,"${long}":2}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeLessThan(100);
  });
});

describe('through the guard (signature valid, so only the JSON is at fault)', () => {
  it.each([
    ['duplicate typ in the header', '{"alg":"ES256","kid":"main-es256","typ":"JWT","typ":"at+jwt"}'],
    ['duplicate alg in the header', '{"alg":"none","alg":"ES256","kid":"main-es256","typ":"at+jwt"}'],
    ['escaped duplicate kid', '{"alg":"ES256","kid":"main-es256","\\u006bid":"other","typ":"at+jwt"}'],
    [
      '__proto__ in the header',
      '{"alg":"ES256","kid":"main-es256","typ":"at+jwt","__proto__":{"alg":"none"}}',
    ],
  ])('J-13/#21/#22: %s → 401 malformed', async (_name, header) => {
    const { key, evaluateToken } = harness();
    expectDeny(await evaluateToken(handmade(key, header)), 'ERR_TOKEN_MALFORMED', 401);
  });

  it.each([
    ['duplicate sub', `{${CLAIMS},"sub":"admin"}`],
    ['duplicate aud', `{${CLAIMS},"aud":"https://other.test"}`],
    ['escaped duplicate scope', `{${CLAIMS},"scope":"a","\\u0073cope":"admin"}`],
    ['__proto__ claim', `{${CLAIMS},"__proto__":{"admin":true}}`],
    ['nested __proto__ claim', `{${CLAIMS},"ext":{"roles":[{"__proto__":{"admin":true}}]}}`],
  ])('J-13/#21/#22: a payload with %s → 401 malformed', async (_name, payload) => {
    const { key, evaluateToken } = harness();
    expectDeny(
      await evaluateToken(handmade(key, { alg: 'ES256', typ: 'at+jwt', kid: key.kid }, payload)),
      'ERR_TOKEN_MALFORMED',
      401,
    );
  });

  it('the same raw payload without the duplicate is accepted (control)', async () => {
    const { key, evaluateToken } = harness();
    expectAllow(
      await evaluateToken(handmade(key, { alg: 'ES256', typ: 'at+jwt', kid: key.kid }, `{${CLAIMS}}`)),
    );
  });
});
