/**
 * Facts from a web-standard `Request`: what a `Headers` object joined is taken apart again where the
 * field's grammar allows (attack #32: two `Authorization` lines are two credentials, RFC 9110 §11.6.2),
 * and the target, method and connection are as given.
 */
import { describe, expect, it } from 'vitest';
import { targetOf, toRequestFactsFromFetch } from '../../src/adapter/fetch-facts.js';
import { extractCredential } from '../../src/extract/extract.js';

const SETTINGS = { allowQueryToken: false, maxTokenBytes: 8192, dpop: true } as const;

function requestWith(
  lines: readonly (readonly [string, string])[],
  url = 'https://api.test/a/b?x=1',
): Request {
  const headers = new Headers();
  for (const [name, value] of lines) headers.append(name, value);
  return new Request(url, { method: 'POST', headers });
}

describe('toRequestFactsFromFetch', () => {
  it('keeps method, path and query, and the connection the caller names', () => {
    const facts = toRequestFactsFromFetch(requestWith([['x-one', 'a']]), { remoteAddress: '192.0.2.7' });
    expect(facts).toMatchObject({ method: 'POST', target: '/a/b?x=1', remoteAddress: '192.0.2.7' });
    expect(facts.headers['x-one']).toEqual(['a']);
    expect(toRequestFactsFromFetch(requestWith([])).remoteAddress).toBeUndefined();
  });

  it('#32 two Authorization lines, joined by Headers, are two credentials again', () => {
    const facts = toRequestFactsFromFetch(
      requestWith([
        ['authorization', 'Bearer aaa.bbb.ccc'],
        ['authorization', 'Bearer ddd.eee.fff'],
      ]),
    );
    expect(facts.headers.authorization).toEqual(['Bearer aaa.bbb.ccc', 'Bearer ddd.eee.fff']);
    expect(extractCredential(facts, SETTINGS)).toMatchObject({
      kind: 'error',
      code: 'ERR_MULTIPLE_CREDENTIALS',
    });
  });

  it('#32 a Bearer line next to another scheme is refused as two credentials', () => {
    const facts = toRequestFactsFromFetch(
      requestWith([
        ['authorization', 'Basic dXNlcjpwYXNz'],
        ['authorization', 'Bearer aaa'],
      ]),
    );
    expect(extractCredential(facts, SETTINGS)).toMatchObject({ code: 'ERR_MULTIPLE_CREDENTIALS' });
  });

  it('one line with a comma inside stays one (malformed) credential; auth-params stay one value', () => {
    const bearer = toRequestFactsFromFetch(requestWith([['authorization', 'Bearer abc, def']]));
    expect(bearer.headers.authorization).toEqual(['Bearer abc, def']);
    expect(extractCredential(bearer, SETTINGS)).toMatchObject({ code: 'ERR_MALFORMED_CREDENTIALS' });
    const digest = 'Digest username="a", realm="b c", nonce="n"';
    const other = toRequestFactsFromFetch(requestWith([['authorization', digest]]));
    expect(other.headers.authorization).toEqual([digest]);
    expect(extractCredential(other, SETTINGS)).toEqual({ kind: 'none' });
  });

  it('two DPoP proof lines are two values; other joined fields are left as received', () => {
    const facts = toRequestFactsFromFetch(
      requestWith([
        ['dpop', 'a.b.c'],
        ['dpop', 'd.e.f'],
        ['accept', 'text/plain'],
        ['accept', 'application/json'],
      ]),
    );
    expect(facts.headers.dpop).toEqual(['a.b.c', 'd.e.f']);
    expect(facts.headers.accept).toEqual(['text/plain, application/json']);
  });
});

describe('targetOf', () => {
  it('is the path and query of the URL as the runtime serialised it, without the fragment', () => {
    expect(targetOf('https://api.test/a/b?x=1')).toBe('/a/b?x=1');
    expect(targetOf('http://127.0.0.1:8080//api/orders')).toBe('//api/orders');
    expect(targetOf('https://api.test')).toBe('/');
    expect(targetOf('https://api.test/a#frag')).toBe('/a');
    expect(targetOf(new Request('https://api.test/%61pi/./x?q=%20').url)).toBe('/%61pi/x?q=%20');
  });
});
