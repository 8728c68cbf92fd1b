/**
 * RFC 9701 signed introspection answers against a real endpoint that signs with the issuer's key: the
 * request asks for `application/token-introspection+jwt`, the answer is verified like a token (typ, the
 * issuer's pinned algorithm and key, iss, aud = this client, fresh iat) and only then becomes the
 * principal; every unverifiable answer is a 503 ERR_INTROSPECTION_UNAVAILABLE, never an allow.
 */
import {
  generateTestKey,
  type IntrospectionServer,
  type SignedAnswerTweak,
  startIntrospectionServer,
  startKeyServer,
} from '@nevertrust/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type IntrospectionOptions, requireScopes } from '../../src/index.js';
import { MAX_ANSWER_AGE_SECONDS } from '../../src/token/introspection-jwt.js';
import { AUDIENCE, expectAllow, expectDeny, ISSUER, testKey } from '../support.js';
import { introspectingHarness, knownToken } from './introspection-support.js';

const CLIENT = { clientId: 'api-resource', clientSecret: 'signed answers' };
const JWT_TYPE = 'application/token-introspection+jwt';
// Real time: the endpoint stamps `iat` with its own clock.
const NOW = Math.floor(Date.now() / 1000);
let server: IntrospectionServer;

beforeAll(async () => {
  server = await startIntrospectionServer({ ...CLIENT, issuer: ISSUER, signingKey: testKey() });
});
afterAll(() => server.close());
afterEach(() => server.setSignedAnswer(undefined));

const opaque = (answer: Record<string, unknown> = {}) => knownToken(server, NOW, answer);

const introspecting = (introspection: Partial<IntrospectionOptions> = {}) =>
  introspectingHarness(server, { ...CLIENT, responseFormat: 'jwt', ...introspection }, { start: NOW });

describe('RFC 9701 signed introspection answers', () => {
  it('asks for a signed answer, verifies it with the issuer key and takes token_introspection as the answer', async () => {
    const { evaluateToken } = introspecting();
    const decision = expectAllow(await evaluateToken(opaque({ scope: 'a b' }), requireScopes('b')));
    expect(server.requests.at(-1)?.accept).toBe(JWT_TYPE);
    expect(decision.principal).toMatchObject({ subject: 'user-1', issuer: ISSUER, scopes: ['a', 'b'] });
  });

  it('a verified inactive answer → 401 ERR_TOKEN_INACTIVE', async () => {
    const { evaluateToken } = introspecting();
    expectDeny(await evaluateToken('never-issued-token-xxxxxxxx'), 'ERR_TOKEN_INACTIVE', 401);
  });

  const forged: [string, SignedAnswerTweak][] = [
    ['typ is not token-introspection+jwt', { header: { typ: 'JWT' } }],
    ['typ at+jwt: an access token does not pass for an answer', { header: { typ: 'at+jwt' } }],
    ['signed by another key under the issuer kid', { key: generateTestKey('ES256', 'main-es256') }],
    ['alg not allowed for the issuer', { header: { alg: 'HS256' } }],
    ['iss is another issuer', { payload: { iss: 'https://evil.test/' } }],
    ['aud is another client', { payload: { aud: 'other-client' } }],
    ['iat missing', { payload: { iat: undefined } }],
    ['iat too old (a replayed answer)', { payload: { iat: NOW - MAX_ANSWER_AGE_SECONDS - 120 } }],
    ['iat in the future', { payload: { iat: NOW + 3600 } }],
    ['expired', { payload: { exp: NOW - 3600 } }],
    ['token_introspection missing', { payload: { token_introspection: undefined } }],
    ['token_introspection not an object', { payload: { token_introspection: 'active' } }],
    ['a crit header (RFC 7515 §4.1.11: not understood, so refused)', { header: { crit: ['exp'], exp: 1 } }],
    ['an overlong kid', { header: { kid: 'k'.repeat(300) } }],
    [
      'signed by a key a jku header points at (keys only come from the issuer)',
      { header: { jku: 'https://evil.test/jwks' }, key: generateTestKey('ES256', 'jku-key') },
    ],
  ];
  it.each(forged)('%s → 503 ERR_INTROSPECTION_UNAVAILABLE, never an allow', async (_name, tweak) => {
    const { evaluateToken, reports } = introspecting();
    server.setSignedAnswer(tweak);
    const decision = expectDeny(await evaluateToken(opaque()), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
    expect(decision.headers['retry-after']).toBeDefined();
    expect(reports.at(-1)).toMatchObject({ outcome: 'unavailable', reason: 'unverifiable-jwt' });
  });

  it("responseFormat 'jwt' and a plain JSON answer → 503 (not-jwt)", async () => {
    const plain = await startIntrospectionServer(CLIENT);
    try {
      const { evaluateToken, reports } = introspecting({ endpoint: plain.endpoint });
      plain.setToken('plain-token-xxxxxxxxxxxx', { aud: AUDIENCE, exp: NOW + 60 });
      expectDeny(await evaluateToken('plain-token-xxxxxxxxxxxx'), 'ERR_INTROSPECTION_UNAVAILABLE', 503);
      expect(reports.at(-1)).toMatchObject({ outcome: 'unavailable', reason: 'not-jwt' });
    } finally {
      await plain.close();
    }
  });

  it("responseFormat 'json', and 'auto' with a configured endpoint, ask for JSON only", async () => {
    for (const responseFormat of ['json', 'auto'] as const) {
      const { evaluateToken } = introspecting({ responseFormat });
      expectAllow(await evaluateToken(opaque()));
      expect(server.requests.at(-1)?.accept).toBe('application/json');
    }
  });

  it("'auto' with discovery: signed answers asked for when the document lists introspection_signing_alg_values_supported", async () => {
    const metadata = await startKeyServer();
    const signing = await startIntrospectionServer({
      ...CLIENT,
      issuer: metadata.url,
      signingKey: testKey(),
    });
    try {
      const discovered = (listed: boolean) => {
        metadata.setMetadata({
          introspection_endpoint: signing.endpoint,
          ...(listed ? { introspection_signing_alg_values_supported: ['ES256'] } : {}),
        });
        return introspectingHarness(signing, CLIENT, {
          start: NOW,
          issuerId: metadata.url,
          discover: true,
          guard: { keyFetch: { ca: metadata.ca as string } },
        });
      };
      const listed = discovered(true);
      expectAllow(await listed.evaluateToken(knownToken(signing, NOW, { iss: metadata.url })));
      expect(signing.requests.at(-1)?.accept).toBe(`${JWT_TYPE}, application/json;q=0.5`);
      // The signature is checked: a forged answer is refused even though plain JSON would be accepted.
      signing.setSignedAnswer({ key: generateTestKey('ES256', 'main-es256') });
      expectDeny(
        await listed.evaluateToken(knownToken(signing, NOW, { iss: metadata.url })),
        'ERR_INTROSPECTION_UNAVAILABLE',
        503,
      );
      const unlisted = discovered(false);
      expectAllow(await unlisted.evaluateToken(knownToken(signing, NOW, { iss: metadata.url })));
      expect(signing.requests.at(-1)?.accept).toBe('application/json');
    } finally {
      await signing.close();
      await metadata.close();
    }
  });
});
