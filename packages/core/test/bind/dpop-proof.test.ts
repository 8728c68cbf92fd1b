/**
 * RFC 9449 §4.3: one test per check a resource server must make on a DPoP proof (checklist D-1…D-13),
 * through a real guard on the simulated clock, with the refusal's status, code and challenge.
 */
import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseChallenges, publicJwk, signToken } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { expectAllow, expectDeny, testKey } from '../support.js';
import { dpopHarness, ORIGIN } from './dpop-support.js';

const ALGS = 'ES256 PS256 RS256 EdDSA';

/** The parameters of the challenge of `scheme` in a decision's WWW-Authenticate. */
function challenge(decision: { headers: Readonly<Record<string, string>> }, scheme: string) {
  const parsed = parseChallenges(decision.headers['www-authenticate'] ?? '');
  return parsed.find((entry) => entry.scheme === scheme)?.params;
}

describe('RFC 9449 §4.3: the proof checks', () => {
  it('a valid proof for a DPoP-bound token passes; the principal says it is DPoP-bound', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const allowed = expectAllow(await h.call(token, h.proof({ accessToken: token })));
    expect(allowed.principal?.binding).toEqual({ type: 'dpop', jkt: h.jkt });
    expect(allowed.headers).toEqual({});
  });

  it('D-1: two DPoP headers → 401 invalid_dpop_proof', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const proof = h.proof({ accessToken: token });
    const denied = expectDeny(await h.call(token, [proof, proof]), 'ERR_DPOP_PROOF_INVALID', 401);
    expect(challenge(denied, 'DPoP')).toMatchObject({ error: 'invalid_dpop_proof', algs: ALGS });
    expect(denied.audit.detail).toMatch(/D-1/);
  });

  it.each([
    ['two segments', 'a.b'],
    ['JSON serialization', '{"payload":"e30","signatures":[]}'],
    ['non-canonical base64url', 'eyJ0eXAiOiJkcG9wK2p3dCJ9 .e30.AAAA'],
  ])('D-2: %s → 401 invalid_dpop_proof', async (_name, proof) => {
    const h = await dpopHarness();
    expectDeny(await h.call(h.mintBound(), proof), 'ERR_DPOP_PROOF_INVALID', 401);
  });

  it.each(['jti', 'htm', 'htu', 'iat', 'ath'])('D-3: a proof without %s → 401', async (claim) => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const denied = await h.call(token, h.proof({ accessToken: token, claims: { [claim]: undefined } }));
    expect(expectDeny(denied, 'ERR_DPOP_PROOF_INVALID').audit.detail).toMatch(/D-3/);
  });

  it.each(['JWT', 'at+jwt', undefined])('D-4: typ %s → 401', async (typ) => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const denied = await h.call(token, h.proof({ accessToken: token, header: { typ } }));
    expect(expectDeny(denied, 'ERR_DPOP_PROOF_INVALID').audit.detail).toMatch(/D-4/);
  });

  it('D-4: typ is a media type, compared case-insensitively, with or without application/', async () => {
    const h = await dpopHarness();
    for (const typ of ['DPoP+JWT', 'application/dpop+jwt']) {
      const token = h.mintBound();
      expectAllow(await h.call(token, h.proof({ accessToken: token, header: { typ } })));
    }
  });

  it('D-5: an HS256 proof, an unsigned one and an algorithm outside the allow-list → 401', async () => {
    const h = await dpopHarness({ algorithms: ['ES256'] });
    const token = h.mintBound();
    const secret = createSecretKey(randomBytes(32));
    const claims = { jti: 'j', htm: 'GET', htu: `${ORIGIN}/orders`, iat: h.clock.seconds };
    const hs256 = signToken(
      { header: { typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'AAAA' } }, payload: claims },
      secret.export(),
    );
    const none = `${Buffer.from('{"typ":"dpop+jwt","alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    const rsa = testKey('RS256', 'dpop-rsa');
    for (const proof of [hs256, none, h.proof({ key: rsa, accessToken: token })]) {
      expectDeny(await h.call(token, proof), 'ERR_DPOP_PROOF_INVALID');
    }
  });

  it('D-6: a tampered payload, and a proof signed by another key than its jwk → 401', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const [header, payload, signature] = h.proof({ accessToken: token }).split('.');
    const changed = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), htm: 'GET ' }),
    ).toString('base64url');
    expectDeny(await h.call(token, `${header}.${changed}.${signature}`), 'ERR_DPOP_PROOF_INVALID');
    const other = testKey('ES256', 'dpop-other');
    const foreign = h.proof({ accessToken: token, signWith: other.privateKey });
    expect(expectDeny(await h.call(token, foreign), 'ERR_DPOP_PROOF_INVALID').audit.detail).toMatch(/D-6/);
  });

  it('D-7: a jwk with private members (EC d, RSA p q dp dq qi) or a symmetric key → 401', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const ecPrivate = h.client.privateKey.export({ format: 'jwk' });
    const rsa = testKey('RS256', 'dpop-rsa');
    const { d: _d, ...rsaWithoutD } = rsa.privateKey.export({ format: 'jwk' });
    for (const jwk of [ecPrivate, rsaWithoutD, { kty: 'oct', k: 'c2VjcmV0' }]) {
      const key = jwk.kty === 'RSA' ? rsa : h.client;
      const denied = await h.call(token, h.proof({ key, accessToken: token, header: { jwk } }));
      expect(expectDeny(denied, 'ERR_DPOP_PROOF_INVALID').audit.detail).toMatch(/D-7|D-5/);
    }
  });

  it('D-8: htm is the request method, compared case-sensitively', async () => {
    const h = await dpopHarness();
    for (const htm of ['POST', 'get']) {
      const token = h.mintBound();
      const denied = await h.call(token, h.proof({ accessToken: token, htm }));
      expect(expectDeny(denied, 'ERR_DPOP_PROOF_INVALID').audit.detail).toMatch(/D-8/);
    }
    const token = h.mintBound();
    expectAllow(await h.call(token, h.proof({ accessToken: token, htm: 'POST' }), { method: 'POST' }));
  });

  it.each([
    ['case, default port, dot-segments, query and fragment', 'https://API.example.com:443/a/./b?x#y', '/a/b'],
    ['percent-encoding of an unreserved character', 'https://api.example.com/~user/%7e', '/%7Euser/~'],
    ['percent-encoding case', 'https://api.example.com/a%2fb', '/a%2Fb?q=1'],
    ['empty path', 'https://api.example.com', '/'],
  ])('D-9: htu matches after RFC 3986 normalisation (%s)', async (_name, htu, target) => {
    const h = await dpopHarness();
    const token = h.mintBound();
    expectAllow(await h.call(token, h.proof({ accessToken: token, htu }), { target }));
  });

  it.each([
    ['another path', 'https://api.example.com/a/c', '/a/b'],
    ['another host', 'https://evil.example.com/a/b', '/a/b'],
    ['another scheme', 'http://api.example.com/a/b', '/a/b'],
    ['another port', 'https://api.example.com:8443/a/b', '/a/b'],
    ['an encoded slash is not a slash', 'https://api.example.com/a%2Fb', '/a/b'],
    ['not a URI', 'not a uri', '/a/b'],
  ])('D-9: htu naming %s → 401', async (_name, htu, target) => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const denied = await h.call(token, h.proof({ accessToken: token, htu }), { target });
    expect(expectDeny(denied, 'ERR_DPOP_PROOF_INVALID').audit.detail).toMatch(/D-9/);
  });

  it('D-9: the request URI comes from the configured origin, never from Host or X-Forwarded-*', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const headers = {
      host: 'evil.example.com',
      'x-forwarded-host': 'evil.example.com',
      'x-forwarded-proto': 'http',
    };
    const forHost = h.proof({ accessToken: token, htu: 'http://evil.example.com/orders' });
    expectDeny(await h.call(token, forHost, { headers }), 'ERR_DPOP_PROOF_INVALID');
    expectAllow(await h.call(token, h.proof({ accessToken: token }), { headers }));
  });

  it('D-9: with several configured origins, a proof for any of them passes, for none other', async () => {
    const h = await dpopHarness({ origin: [ORIGIN, 'https://api.example.eu'] });
    const token = h.mintBound();
    expectAllow(await h.call(token, h.proof({ accessToken: token, htu: 'https://api.example.eu/orders' })));
    const other = h.proof({ accessToken: token, htu: 'https://api.example.org/orders' });
    expectDeny(await h.call(token, other), 'ERR_DPOP_PROOF_INVALID');
  });

  it('D-11: iat older than maxAgeSeconds, or ahead of the clock beyond the skew → 401', async () => {
    const h = await dpopHarness({ maxAgeSeconds: 300, futureSkewSeconds: 5 });
    const now = Math.floor(h.clock.seconds);
    for (const iat of [now - 600, now - 301, now + 3600, now + 6]) {
      const token = h.mintBound();
      const denied = await h.call(token, h.proof({ accessToken: token, iat }));
      expect(expectDeny(denied, 'ERR_DPOP_PROOF_INVALID').audit.detail).toMatch(/D-11/);
    }
    for (const iat of [now - 300, now + 5]) {
      const token = h.mintBound();
      expectAllow(await h.call(token, h.proof({ accessToken: token, iat })));
    }
  });

  it('D-12: a proof made for token A presented with token B → 401', async () => {
    const h = await dpopHarness();
    const [a, b] = [h.mintBound(), h.mintBound()];
    const denied = await h.call(b, h.proof({ accessToken: a }));
    expect(expectDeny(denied, 'ERR_DPOP_PROOF_INVALID').audit.detail).toMatch(/D-12/);
  });

  it('D-13: a proof by another key than the token is bound to → 401 invalid_token "Invalid DPoP key binding"', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const other = testKey('ES256', 'dpop-other');
    const denied = expectDeny(
      await h.call(token, h.proof({ key: other, accessToken: token })),
      'ERR_DPOP_BINDING_MISMATCH',
      401,
    );
    // The RFC 9449 §7.1 example, with the guard's algs.
    expect(challenge(denied, 'DPoP')).toEqual({
      error: 'invalid_token',
      error_description: 'Invalid DPoP key binding',
      algs: ALGS,
    });
    expect(challenge(denied, 'Bearer')).toEqual({});
  });

  it('an EdDSA and an RSA (PS256) client key verify like ES256', async () => {
    const h = await dpopHarness();
    for (const key of [testKey('EdDSA', 'dpop-ed'), testKey('PS256', 'dpop-ps')]) {
      const { dpopThumbprint } = await import('@nevertrust/testkit');
      const token = h.mint({ claims: { cnf: { jkt: await dpopThumbprint(key) } } });
      expectAllow(await h.call(token, h.proof({ key, accessToken: token })));
    }
  });

  it('a jwk whose key type does not fit alg is refused, and an RSA key below 2048 bits', async () => {
    const h = await dpopHarness();
    const token = h.mintBound();
    const mismatched = h.proof({ accessToken: token, header: { alg: 'RS256' } });
    expectDeny(await h.call(token, mismatched), 'ERR_DPOP_PROOF_INVALID');
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const key = { alg: 'RS256', kid: 'weak', ...weak, jwk: weak.publicKey.export({ format: 'jwk' }) };
    const proof = h.proof({ key, accessToken: token, header: { jwk: publicJwk(key) } });
    expectDeny(await h.call(token, proof), 'ERR_DPOP_PROOF_INVALID');
  });
});
