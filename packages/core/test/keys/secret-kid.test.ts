/**
 * HMAC issuers and `kid` (RFC 7515 §4.1.4: `kid` is OPTIONAL and its structure unspecified). A shared
 * secret may be named by `secretKid`; a token naming a different key is refused, a token or a
 * configuration without a name falls back to the one secret. Known answer: RFC 7520 §4.4 (HMAC-SHA2
 * integrity protection, key of §3.5).
 */
import { Buffer } from 'node:buffer';
import { createSecretKey } from 'node:crypto';
import { signToken } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { ConfigError, createGuard } from '../../src/index.js';
import { verifySignature } from '../../src/token/algorithms.js';
import { AUDIENCE, expectAllow, expectDeny, harness, ISSUER, validClaims } from '../support.js';

// RFC 7520 §3.5 (Figure 5): the symmetric key used by the §4.4 example.
const RFC7520_KID = '018c0ae5-4d9b-471b-bfd6-eef314bc7037';
const RFC7520_KEY = Buffer.from('hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg', 'base64url');
// RFC 7520 §4.4.3: the compact serialisation of the example (payload: the §4 "Frodo" text).
const RFC7520_4_4 = [
  'eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9',
  'SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9h' +
    'ZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4',
  's0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0',
].join('.');

/** A token with the RFC 7520 §4.4 header shape (`alg`, `kid`; plus `typ` as RFC 9068 asks), signed with its key. */
function rfc7520Shaped(header: Record<string, unknown> = {}, claims: Record<string, unknown> = {}): string {
  return signToken(
    { header: { alg: 'HS256', kid: RFC7520_KID, typ: 'at+jwt', ...header }, payload: validClaims(claims) },
    RFC7520_KEY,
  );
}

function hmacHarness(secretKid?: string) {
  return harness({
    issuer: {
      secret: RFC7520_KEY,
      algorithms: ['HS256'],
      ...(secretKid === undefined ? {} : { secretKid }),
    },
  });
}

describe('RFC 7520 §4.4 known answer', () => {
  it('the RFC key and nevertrust’s HS256 check agree on the published signature', () => {
    const [header, payload, signature] = RFC7520_4_4.split('.') as [string, string, string];
    const data = Buffer.from(`${header}.${payload}`, 'latin1');
    const key = createSecretKey(RFC7520_KEY);
    expect(verifySignature('HS256', key, data, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(
      verifySignature(
        'HS256',
        key,
        Buffer.from(`${header}.${payload}x`),
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(false);
  });

  it('the verbatim example is a JWS but not an access token: its payload is prose, not a claim set', async () => {
    const { evaluateToken } = hmacHarness();
    // Refused for its payload (RFC 7519 §7.2 step 10), not for its kid: the key lookup is never reached.
    expectDeny(await evaluateToken(RFC7520_4_4), 'ERR_TOKEN_MALFORMED', 401);
  });
});

describe('kid is optional on both sides of an HMAC issuer', () => {
  it('no secretKid configured: a token of the RFC 7520 §4.4 shape (with its kid) verifies', async () => {
    const { evaluateToken } = hmacHarness();
    expectAllow(await evaluateToken(rfc7520Shaped()));
    expectAllow(await evaluateToken(rfc7520Shaped({ kid: 'any-other-name' })));
    expectAllow(await evaluateToken(rfc7520Shaped({ kid: undefined })));
  });

  it('secretKid configured: the same kid or no kid verifies; another kid → ERR_KEY_NOT_FOUND', async () => {
    const { evaluateToken, events } = hmacHarness(RFC7520_KID);
    expectAllow(await evaluateToken(rfc7520Shaped()));
    expect(events.at(-1)?.keyId).toBe(RFC7520_KID);
    expectAllow(await evaluateToken(rfc7520Shaped({ kid: undefined })));
    expectDeny(await evaluateToken(rfc7520Shaped({ kid: 'other' })), 'ERR_KEY_NOT_FOUND', 401);
    // kid comparison is exact: no case folding, no trimming.
    expectDeny(await evaluateToken(rfc7520Shaped({ kid: RFC7520_KID.toUpperCase() })), 'ERR_KEY_NOT_FOUND');
    expectDeny(await evaluateToken(rfc7520Shaped({ kid: `${RFC7520_KID} ` })), 'ERR_KEY_NOT_FOUND');
  });

  it('the kid never replaces the key: a wrong secret under the right kid is still a bad signature', async () => {
    const { evaluateToken } = hmacHarness(RFC7520_KID);
    const forged = signToken(
      { header: { alg: 'HS256', kid: RFC7520_KID, typ: 'at+jwt' }, payload: validClaims() },
      Buffer.alloc(32, 7),
    );
    expectDeny(await evaluateToken(forged), 'ERR_SIGNATURE_INVALID', 401);
  });

  it('every other claim rule still applies to a kid-bearing HMAC token', async () => {
    const { evaluateToken, clock } = hmacHarness(RFC7520_KID);
    const token = rfc7520Shaped({}, { exp: clock.seconds + 60 });
    expectAllow(await evaluateToken(token));
    clock.seconds += 200; // past exp and the default clock tolerance
    expectDeny(await evaluateToken(token), 'ERR_TOKEN_EXPIRED');
  });

  it.each([
    [{ secretKid: '' }, 'issuers[0].secretKid'],
    [{ secretKid: 'k'.repeat(257) }, 'issuers[0].secretKid'],
    [{ secretKid: 7 }, 'issuers[0].secretKid'],
    [
      { secretKid: 'k1', keys: undefined, secret: undefined, jwksUri: 'https://idp.test/jwks' },
      'issuers[0].secretKid',
    ],
  ])('a bad secretKid %j is a ConfigError naming it', (extra, path) => {
    const options = {
      issuer: ISSUER,
      audience: AUDIENCE,
      secret: RFC7520_KEY,
      algorithms: ['HS256'],
      ...extra,
    };
    expect(() => createGuard({ issuers: [options as never] })).toThrow(ConfigError);
    try {
      createGuard({ issuers: [options as never] });
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toContain(path);
    }
  });
});
