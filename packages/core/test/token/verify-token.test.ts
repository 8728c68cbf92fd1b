/**
 * Header handling and key selection: checklist AT-9, J-7, J-9, J-12, K-10; attacks #8–#14, #28, #43.
 * Keys only ever come from the issuer's configured source, never from the token.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { b64url, bearer, signRaw, signToken, startKeyServer, testTls } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard, type Decision } from '../../src/index.js';
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

const attacker = testKey('ES256', 'attacker');

/** Nothing the token said may appear in what the client receives. */
function expectNoEcho(decision: Decision, ...values: string[]): void {
  const wire = JSON.stringify(
    decision.outcome === 'deny' ? [decision.headers, decision.body] : decision.headers,
  );
  for (const value of values) if (value.length > 2) expect(wire).not.toContain(value);
  const challenge = decision.headers['www-authenticate'] ?? '';
  expect(challenge).not.toMatch(/[\r\n]/);
}

describe('#8–#10: keys embedded in or named by the token are never used', () => {
  let server: Awaited<ReturnType<typeof startKeyServer>>;
  beforeAll(async () => {
    server = await startKeyServer({ https: false, keys: [attacker.jwk] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('#8: a token signed by the attacker, carrying its public jwk and the real kid → 401', async () => {
    const { key, evaluateToken } = harness();
    const header = { alg: 'ES256', typ: 'at+jwt', kid: key.kid, jwk: { ...attacker.jwk, kid: key.kid } };
    const token = handmade(attacker, header);
    expectDeny(await evaluateToken(token), 'ERR_SIGNATURE_INVALID', 401);
    const { kid: _kid, ...withoutKid } = header;
    expectDeny(await evaluateToken(handmade(attacker, withoutKid)), 'ERR_SIGNATURE_INVALID', 401);
    // With the attacker's own kid there is no trusted key at all.
    expectDeny(
      await evaluateToken(handmade(attacker, { ...header, kid: attacker.kid })),
      'ERR_KEY_NOT_FOUND',
      401,
    );
  });

  it('#9/#10: jku and x5u pointing at a live server with the attacker key → 401 and no request', async () => {
    const { evaluateToken } = harness();
    for (const extra of [
      { jku: server.jwksUri },
      { jku: `http://127.0.0.1:${new URL(server.url).port}/jwks`, kid: attacker.kid },
      { x5u: `${server.url}/cert.pem` },
      { jku: server.jwksUri, x5u: `${server.url}/x5u`, kid: attacker.kid },
    ]) {
      const token = handmade(attacker, { alg: 'ES256', typ: 'at+jwt', kid: 'main-es256', ...extra });
      const decision = await evaluateToken(token);
      expect(decision.outcome).toBe('deny');
      expectNoEcho(decision, server.url);
    }
    expect([...server.hits.values()].reduce((sum, n) => sum + n, 0)).toBe(0);
  });

  it('#10: an x5c chain with the attacker certificate → 401', async () => {
    const tls = await testTls();
    const certificate = new X509Certificate(tls.clientCert);
    const clientKey = createPrivateKey(tls.clientKey);
    const { evaluateToken } = harness();
    const header = { alg: 'ES256', typ: 'at+jwt', x5c: [certificate.raw.toString('base64')] };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(validClaims()))}`;
    const token = `${signingInput}.${b64url(signRaw('ES256', clientKey, signingInput))}`;
    expectDeny(await evaluateToken(token), 'ERR_SIGNATURE_INVALID', 401);
    const withKid = handmade(attacker, { ...header, kid: 'main-es256', 'x5t#S256': 'AAAA' });
    expectDeny(await evaluateToken(withKid), 'ERR_SIGNATURE_INVALID', 401);
  });
});

describe('J-9/#11/#43: kid is an opaque lookup key', () => {
  it.each([
    '../../../../dev/null',
    '/dev/null',
    '/invalid_path',
    '|sleep 10',
    '| curl http://127.0.0.1:9/',
    "x' UNION SELECT '1';--",
    '*)(uid=*))(|(uid=*',
    '',
    'constructor',
    '__proto__',
    'kid"\r\nSet-Cookie: admin=1',
  ])('kid %j → clean 401, nothing echoed', async (kid) => {
    const { evaluateToken } = harness();
    for (const token of [
      handmade(attacker, { alg: 'ES256', typ: 'at+jwt', kid }),
      signToken({ header: { alg: 'HS256', typ: 'at+jwt', kid }, payload: validClaims() }, Buffer.from('')),
      signToken({ header: { alg: 'HS256', typ: 'at+jwt', kid }, payload: validClaims() }, Buffer.from('1')),
    ]) {
      const decision = await evaluateToken(token);
      expect(decision.outcome).toBe('deny');
      if (decision.outcome === 'deny') expect(decision.status).toBe(401);
      expectNoEcho(decision, kid, 'Set-Cookie');
    }
  });

  it('a 10 kB kid is refused as malformed without a lookup', async () => {
    const { key, evaluateToken } = harness({ guard: { maxTokenBytes: 65_536 } });
    const kid = 'k'.repeat(10_240);
    const decision = expectDeny(
      await evaluateToken(handmade(key, { alg: 'ES256', typ: 'at+jwt', kid })),
      'ERR_TOKEN_MALFORMED',
      401,
    );
    expect(decision.audit.keyId).toBeUndefined();
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['an object', { $ne: '' }],
    ['an array', ['main-es256']],
    ['a boolean', true],
  ])('a kid that is %s → 401 malformed', async (_name, kid) => {
    const { key, evaluateToken } = harness();
    expectDeny(
      await evaluateToken(handmade(key, { alg: 'ES256', typ: 'at+jwt', kid })),
      'ERR_TOKEN_MALFORMED',
      401,
    );
  });

  it('the audit keyId is the configured key id, never text from a refused token', async () => {
    const { key, mint, evaluateToken } = harness();
    expect(expectAllow(await evaluateToken(mint())).audit.keyId).toBe(key.kid);
    expect(
      (await evaluateToken(handmade(attacker, { alg: 'ES256', typ: 'at+jwt', kid: 'evil' }))).audit.keyId,
    ).toBeUndefined();
  });
});

describe('J-12/#12/#13: crit and b64', () => {
  it.each([
    ['crit with an unknown extension', { crit: ['exp2'], exp2: 1 }],
    ['an empty crit', { crit: [] }],
    ['crit naming a registered header', { crit: ['alg'] }],
    ['crit naming b64 with b64: true', { crit: ['b64'], b64: true }],
    ['crit as a string', { crit: 'exp2' }],
    ['crit null', { crit: null }],
    ['b64: false with crit', { b64: false, crit: ['b64'] }],
    ['b64: false without crit', { b64: false }],
    ['a JWE enc parameter', { enc: 'A256GCM' }],
    ['a zip parameter', { zip: 'DEF' }],
  ])('%s → 401 unsupported format', async (_name, extra) => {
    const { key, evaluateToken } = harness();
    const token = handmade(key, { alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...extra });
    const decision = expectDeny(await evaluateToken(token), 'ERR_TOKEN_UNSUPPORTED_FORMAT', 401);
    expect(decision.body.error).toBe('invalid_token');
  });

  it('#13: an RFC 7797 unencoded payload is refused, signed correctly or not', async () => {
    const { key, evaluateToken } = harness();
    const header = b64url(
      JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, b64: false, crit: ['b64'] }),
    );
    const payload = JSON.stringify(validClaims());
    // RFC 7797 §3: the signature covers the raw payload; the compact form carries it raw (or detached).
    const signature = b64url(signRaw('ES256', key.privateKey, `${header}.${payload}`));
    expectDeny(await evaluateToken(`${header}.${payload}.${signature}`), 'ERR_MALFORMED_CREDENTIALS', 400);
    expectDeny(await evaluateToken(`${header}..${signature}`), 'ERR_TOKEN_MALFORMED', 401);
    expectDeny(
      await evaluateToken(`${header}.${b64url(payload)}.${signature}`),
      'ERR_TOKEN_UNSUPPORTED_FORMAT',
      401,
    );
  });
});

describe('#14: cty is ignored', () => {
  it.each(['text/xml', 'JWT', 'application/json', 'application/x-java-serialized-object'])(
    'cty %s: the payload is still the JWT claims set',
    async (cty) => {
      const { mint, evaluateToken } = harness();
      const allowed = expectAllow(await evaluateToken(mint({ header: { cty }, claims: { scope: 'a' } })));
      expect(allowed.principal?.scopes).toEqual(['a']);
    },
  );
});

describe('J-7/#28/K-10: issuers and their keys', () => {
  const keyA = testKey('ES256', 'issuer-a');
  const keyB = testKey('ES256', 'issuer-b');
  const A = 'https://a.idp.test';
  const B = 'https://b.idp.test';

  function twoIssuers(keysOf: (key: typeof keyA) => (string | Record<string, unknown>)[]) {
    return createGuard({
      issuers: [
        { issuer: A, audience: AUDIENCE, keys: keysOf(keyA) },
        { issuer: B, audience: AUDIENCE, keys: keysOf(keyB) },
      ],
      clock: () => NOW * 1000,
    });
  }

  it.each([
    ['JWKs', (key: typeof keyA) => [key.jwk]],
    ['PEMs', (key: typeof keyA) => [key.publicKey.export({ type: 'spki', format: 'pem' }) as string]],
  ])(
    "with %s: a token claiming issuer B signed with A's key is refused, with or without A's kid",
    async (_name, keysOf) => {
      const guard = twoIssuers(keysOf);
      const claimsB = validClaims({ iss: B });
      expectAllow(
        await guard.evaluate(bearer(handmade(keyB, { alg: 'ES256', typ: 'at+jwt', kid: keyB.kid }, claimsB))),
      );
      expectAllow(
        await guard.evaluate(
          bearer(handmade(keyA, { alg: 'ES256', typ: 'at+jwt', kid: keyA.kid }, validClaims({ iss: A }))),
        ),
      );
      for (const header of [
        { alg: 'ES256', typ: 'at+jwt', kid: keyA.kid },
        { alg: 'ES256', typ: 'at+jwt' },
      ]) {
        const decision = await guard.evaluate(bearer(handmade(keyA, header, claimsB)));
        expect(decision.outcome).toBe('deny');
        if (decision.outcome === 'deny') {
          expect(['ERR_KEY_NOT_FOUND', 'ERR_SIGNATURE_INVALID']).toContain(decision.code);
          expect(decision.audit.issuer).toBe(B);
        }
      }
    },
  );

  it('K-10: a token naming an issuer that is not on the allow-list is refused before any key lookup', async () => {
    const server = await startKeyServer({ https: false, keys: [attacker.jwk] });
    try {
      const { evaluateToken } = harness();
      for (const iss of [server.url, `${server.url}/`, 'https://evil.test/', ISSUER.toUpperCase()]) {
        const token = handmade(
          attacker,
          { alg: 'ES256', typ: 'at+jwt', kid: attacker.kid },
          validClaims({ iss }),
        );
        const decision = expectDeny(await evaluateToken(token), 'ERR_ISSUER_UNKNOWN', 401);
        expect(decision.audit.issuer).toBeUndefined();
      }
      expect(server.count('/.well-known/openid-configuration')).toBe(0);
      expect(server.count('/jwks')).toBe(0);
    } finally {
      await server.close();
    }
  });
});
