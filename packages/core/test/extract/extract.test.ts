/**
 * Credential extraction (RFC 6750 §2): checklist B-1…B-7, attacks #23, #31, #32.
 */
import { requestFacts } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { type ExtractionSettings, extractCredential } from '../../src/extract/extract.js';
import { publicRoute } from '../../src/index.js';
import { expectAllow, expectDeny, harness, withAuthorization } from '../support.js';

const HEADER_ONLY: ExtractionSettings = { allowQueryToken: false, maxTokenBytes: 8192 };
const WITH_QUERY: ExtractionSettings = { allowQueryToken: true, maxTokenBytes: 8192 };

describe('Authorization header', () => {
  it('B-2: a well-formed "Bearer <b64token>" yields the token from the header', () => {
    const result = extractCredential(withAuthorization('Bearer abc.DEF-_~+/.x=='), HEADER_ONLY);
    expect(result).toEqual({
      kind: 'token',
      token: 'abc.DEF-_~+/.x==',
      location: 'header',
      scheme: 'bearer',
    });
  });

  it.each([
    ['space inside', 'Bearer a b'],
    ['tab inside', 'Bearer a\tb'],
    ['non-ASCII', 'Bearer abc\u00e9'],
    ['quote', 'Bearer "abc"'],
    ['comma-joined second credential', 'Bearer abc, Bearer def'],
    ['padding in the middle', 'Bearer ab=c'],
    ['nothing after the scheme', 'Bearer'],
    ['only spaces after the scheme', 'Bearer   '],
    ['tab instead of space', 'Bearer\tabc'],
    ['JSON serialisation (#33)', 'Bearer {"payload":"e30","signatures":[]}'],
  ])('B-2: "%s" is refused before any decoding (400 invalid_request)', async (_name, value) => {
    expect(extractCredential(withAuthorization(value), HEADER_ONLY)).toMatchObject({
      kind: 'error',
      code: 'ERR_MALFORMED_CREDENTIALS',
    });
    const { guard } = harness();
    const denied = expectDeny(
      await guard.evaluate(withAuthorization(value)),
      'ERR_MALFORMED_CREDENTIALS',
      400,
    );
    expect(denied.body.error).toBe('invalid_request');
    expect(denied.headers['www-authenticate']).toContain('error="invalid_request"');
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])(
    'B-3: the scheme "%s" is case-insensitive and reaches verification',
    async (scheme) => {
      const { mint, guard } = harness();
      const token = mint();
      expect(extractCredential(withAuthorization(`${scheme} ${token}`), HEADER_ONLY)).toMatchObject({
        kind: 'token',
        token,
      });
      expectAllow(await guard.evaluate(withAuthorization(`${scheme} ${token}`)));
    },
  );

  it('B-2: several spaces between scheme and token are allowed (1*SP)', async () => {
    const { mint, guard } = harness();
    expectAllow(await guard.evaluate(withAuthorization(`Bearer    ${mint()}`)));
  });

  it.each([
    ['Basic', 'Basic dXNlcjpwYXNz'],
    ['Negotiate', 'Negotiate YIIB'],
    ['DPoP', 'DPoP abc.def.ghi'],
    ['a scheme that merely starts with Bearer', 'Bearerx abc'],
  ])('another scheme (%s) is not a bearer credential', async (_name, value) => {
    expect(extractCredential(withAuthorization(value), HEADER_ONLY)).toEqual({ kind: 'none' });
    const { guard } = harness();
    const denied = expectDeny(await guard.evaluate(withAuthorization(value)), 'ERR_NO_CREDENTIALS', 401);
    expect(denied.headers['www-authenticate']).not.toContain('error=');
    // On a public route another scheme is simply no bearer credential: allowed, without a principal.
    const allowed = expectAllow(await guard.evaluate(withAuthorization(value), publicRoute()));
    expect(allowed.principal).toBeUndefined();
  });

  it('#32: two Authorization values in headers.authorization → 400 invalid_request', async () => {
    const { mint, guard } = harness();
    const token = mint();
    const facts = withAuthorization([`Bearer ${token}`, `Bearer ${token}`]);
    expect(extractCredential(facts, HEADER_ONLY)).toMatchObject({ code: 'ERR_MULTIPLE_CREDENTIALS' });
    const denied = expectDeny(await guard.evaluate(facts), 'ERR_MULTIPLE_CREDENTIALS', 400);
    expect(denied.body.error).toBe('invalid_request');
    // Even when the second line is another scheme, or empty, there is more than one credential.
    expectDeny(
      await guard.evaluate(withAuthorization([`Bearer ${token}`, 'Basic eDp5'])),
      'ERR_MULTIPLE_CREDENTIALS',
    );
    expectDeny(await guard.evaluate(withAuthorization([`Bearer ${token}`, ''])), 'ERR_MULTIPLE_CREDENTIALS');
    // …also on a public route: a smuggled credential is never ignored.
    expectDeny(await guard.evaluate(facts, publicRoute()), 'ERR_MULTIPLE_CREDENTIALS', 400);
  });

  it('B-7: no Authorization header at all is "no credentials"', () => {
    expect(extractCredential(requestFacts(), HEADER_ONLY)).toEqual({ kind: 'none' });
    expect(extractCredential(requestFacts({ headers: { authorization: [] } }), HEADER_ONLY)).toEqual({
      kind: 'none',
    });
  });
});

describe('#23: token size cap', () => {
  it('a token one byte over maxTokenBytes is refused, one at the cap passes extraction', () => {
    const settings: ExtractionSettings = { allowQueryToken: false, maxTokenBytes: 300 };
    expect(extractCredential(withAuthorization(`Bearer ${'a'.repeat(300)}`), settings)).toMatchObject({
      kind: 'token',
    });
    expect(extractCredential(withAuthorization(`Bearer ${'a'.repeat(301)}`), settings)).toMatchObject({
      code: 'ERR_TOKEN_TOO_LARGE',
    });
  });

  it('a 1 MB header and a token of 10 000 dots are refused quickly with 401 invalid_token', async () => {
    const { guard } = harness();
    const started = performance.now();
    const huge = expectDeny(
      await guard.evaluate(withAuthorization(`Bearer ${'A'.repeat(1024 * 1024)}`)),
      'ERR_TOKEN_TOO_LARGE',
      401,
    );
    expect(huge.body.error).toBe('invalid_token');
    // Junk after the cap is refused for its size, never scanned by the credential pattern.
    expectDeny(
      await guard.evaluate(withAuthorization(`Bearer ${'A '.repeat(512 * 1024)}`)),
      'ERR_TOKEN_TOO_LARGE',
    );
    expectDeny(
      await guard.evaluate(withAuthorization(`Bearer ${'.'.repeat(10_000)}`)),
      'ERR_TOKEN_TOO_LARGE',
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('the cap follows maxTokenBytes; 10 000 dots under a larger cap are a malformed token', async () => {
    const { guard } = harness({ guard: { maxTokenBytes: 65_536 } });
    expectDeny(
      await guard.evaluate(withAuthorization(`Bearer ${'.'.repeat(10_000)}`)),
      'ERR_TOKEN_MALFORMED',
      401,
    );
    const small = harness({ guard: { maxTokenBytes: 256 } });
    expectDeny(
      await small.evaluateToken(small.mint({ claims: { pad: 'x'.repeat(300) } })),
      'ERR_TOKEN_TOO_LARGE',
    );
  });
});

describe('query tokens (RFC 6750 §2.3)', () => {
  it('#31/B-5: off by default — ?access_token=<valid> is "no credentials" (401, no error)', async () => {
    const { mint, guard, events } = harness();
    const token = mint();
    const facts = requestFacts({ target: `/orders?access_token=${token}` });
    expect(extractCredential(facts, HEADER_ONLY)).toEqual({ kind: 'none' });
    const denied = expectDeny(await guard.evaluate(facts), 'ERR_NO_CREDENTIALS', 401);
    expect(denied.headers['www-authenticate']).not.toContain('error=');
    // The token in the URL is not logged: the audit path drops the query.
    expect(events[0]?.path).toBe('/orders');
    expect(JSON.stringify(events)).not.toContain(token.slice(0, 20));
  });

  it('B-6: with query tokens off, array-shaped parameters are ignored without a crash', async () => {
    const { guard } = harness();
    for (const target of [
      '/o?access_token=a&access_token=b',
      '/o?access_token[]=a',
      '/o?access_token[x]=a',
    ]) {
      expectDeny(await guard.evaluate(requestFacts({ target })), 'ERR_NO_CREDENTIALS');
    }
  });

  it('B-5: when on, a GET query token is accepted and the response is marked Cache-Control: private', async () => {
    const { mint, guard, events } = harness({ guard: { allowQueryToken: true } });
    const token = mint();
    const facts = requestFacts({ target: `/orders?x=1&access_token=${token}` });
    expect(extractCredential(facts, WITH_QUERY)).toEqual({
      kind: 'token',
      token,
      location: 'query',
      scheme: 'bearer',
    });
    const allowed = expectAllow(await guard.evaluate(facts));
    expect(allowed.headers['cache-control']).toBe('private');
    expect(events[0]?.path).toBe('/orders');
    // A header token's allow carries no such header.
    expect(expectAllow(await guard.evaluate(withAuthorization(`Bearer ${mint()}`))).headers).toEqual({});
  });

  it('B-1: a token in the header and in the query → 400 invalid_request', async () => {
    const { mint, guard } = harness({ guard: { allowQueryToken: true } });
    const token = mint();
    const facts = withAuthorization(`Bearer ${token}`, { target: `/orders?access_token=${token}` });
    const denied = expectDeny(await guard.evaluate(facts), 'ERR_MULTIPLE_CREDENTIALS', 400);
    expect(denied.headers['www-authenticate']).toContain('error="invalid_request"');
  });

  it.each([
    ['repeated', '/o?access_token=a.b.c&access_token=a.b.c', 'ERR_MULTIPLE_CREDENTIALS'],
    ['array', '/o?access_token[]=a.b.c', 'ERR_MALFORMED_CREDENTIALS'],
    ['object', '/o?access_token[k]=a.b.c', 'ERR_MALFORMED_CREDENTIALS'],
    [
      'percent-encoded array',
      '/o?access_token%5B%5D=a.b.c&access_token%5B%5D=d',
      'ERR_MALFORMED_CREDENTIALS',
    ],
    [
      'percent-encoded name, repeated',
      '/o?access%5Ftoken=a.b.c&access_token=a.b.c',
      'ERR_MULTIPLE_CREDENTIALS',
    ],
    ['empty', '/o?access_token=', 'ERR_MALFORMED_CREDENTIALS'],
    ['not a b64token', '/o?access_token=a%20b', 'ERR_MALFORMED_CREDENTIALS'],
  ] as const)(
    'B-6: a %s access_token parameter → 400 invalid_request, no crash',
    async (_name, target, code) => {
      const { guard } = harness({ guard: { allowQueryToken: true } });
      const denied = expectDeny(await guard.evaluate(requestFacts({ target })), code, 400);
      expect(denied.body.error).toBe('invalid_request');
    },
  );

  it('a percent-encoded parameter name is the same parameter', async () => {
    const { mint, guard } = harness({ guard: { allowQueryToken: true } });
    expectAllow(await guard.evaluate(requestFacts({ target: `/o?access%5Ftoken=${mint()}` })));
  });

  it('#23: an oversized query token is refused for its size', async () => {
    const { guard } = harness({ guard: { allowQueryToken: true } });
    expectDeny(
      await guard.evaluate(requestFacts({ target: `/o?access_token=${'a'.repeat(9000)}` })),
      'ERR_TOKEN_TOO_LARGE',
    );
  });

  it('a query token is never accepted for a state-changing method, even when query tokens are on', async () => {
    const { mint, guard } = harness({ guard: { allowQueryToken: true } });
    const token = mint();
    expectAllow(await guard.evaluate(requestFacts({ method: 'HEAD', target: `/o?access_token=${token}` })));
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const facts = requestFacts({ method, target: `/o?access_token=${token}` });
      expect(extractCredential(facts, WITH_QUERY)).toEqual({ kind: 'none' });
      expectDeny(await guard.evaluate(facts), 'ERR_NO_CREDENTIALS', 401);
    }
  });

  it('other query parameters never count as a credential', async () => {
    const { guard } = harness({ guard: { allowQueryToken: true } });
    for (const target of [
      '/o?token=a.b.c',
      '/o?my_access_token=a.b.c',
      '/o?ACCESS_TOKEN=a.b.c',
      '/o?x=access_token',
    ]) {
      expectDeny(await guard.evaluate(requestFacts({ target })), 'ERR_NO_CREDENTIALS');
    }
  });
});
