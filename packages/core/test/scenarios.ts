/**
 * One request per outcome the guard can reach without faults, for tests that must hold for every outcome
 * (challenge syntax, fixed descriptions, one audit event each). Every token carries "CANARY" values in
 * the places an attacker controls, so tests can prove none of them reaches the client.
 */
import { b64url, requestFacts } from '@nevertrust/testkit';
import type { ErrorCode, RequestFacts, Requirement } from '../src/index.js';
import { publicRoute, requireScopes } from '../src/index.js';
import { type Harness, handmade, harness, NOW, testKey, validClaims, withAuthorization } from './support.js';

export interface Scenario {
  readonly name: string;
  readonly facts: RequestFacts;
  readonly requirement?: Requirement;
  readonly expected: ErrorCode | 'OK';
}

export const CANARY = 'CANARY';

/** A harness whose issuer enables every rule the scenarios exercise. */
export function scenarioHarness(realm?: string): Harness {
  return harness({
    issuer: { maxTokenAgeSeconds: 3600 },
    guard: { clockToleranceSeconds: 0, ...(realm === undefined ? {} : { realm }) },
  });
}

/** Every outcome, with attacker-chosen text in the token wherever there is a place for it. */
export function scenarios(h: Harness): Scenario[] {
  const canaryClaims = {
    sub: `${CANARY}-sub"\r\nX: y`,
    client_id: `${CANARY}-client`,
    scope: `${CANARY}:scope`,
    jti: `${CANARY}-jti`,
    name: `${CANARY} \\ "quoted"`,
  };
  const mint = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    h.mint({ claims: { ...canaryClaims, ...claims }, header });
  const token = (value: string) => withAuthorization(`Bearer ${value}`);
  const attacker = testKey('ES256', 'attacker');
  return [
    { name: 'valid token', facts: token(mint()), expected: 'OK' },
    {
      name: 'public route, no credentials',
      facts: requestFacts(),
      requirement: publicRoute(),
      expected: 'OK',
    },
    { name: 'no credentials', facts: requestFacts(), expected: 'ERR_NO_CREDENTIALS' },
    {
      name: 'malformed header',
      facts: withAuthorization(`Bearer ${CANARY} x`),
      expected: 'ERR_MALFORMED_CREDENTIALS',
    },
    {
      name: 'two Authorization headers',
      facts: withAuthorization([`Bearer ${mint()}`, `Bearer ${mint()}`]),
      expected: 'ERR_MULTIPLE_CREDENTIALS',
    },
    {
      name: 'token too large',
      facts: token(`${CANARY}${'a'.repeat(9000)}`),
      expected: 'ERR_TOKEN_TOO_LARGE',
    },
    { name: 'malformed token', facts: token(`${CANARY}.x.y`), expected: 'ERR_TOKEN_MALFORMED' },
    {
      name: 'JWE',
      facts: token(
        [b64url(`{"alg":"dir","enc":"A256GCM","kid":"${CANARY}"}`), '', 'aaaa', 'bbbb', 'cccc'].join('.'),
      ),
      expected: 'ERR_TOKEN_UNSUPPORTED_FORMAT',
    },
    { name: 'wrong typ', facts: token(mint({}, { typ: `${CANARY}+jwt` })), expected: 'ERR_TOKEN_TYPE' },
    {
      name: 'alg none',
      facts: token(
        `${b64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: CANARY }))}.${b64url(JSON.stringify({ ...validClaims(), ...canaryClaims }))}.${b64url(CANARY)}`,
      ),
      expected: 'ERR_ALGORITHM_NOT_ALLOWED',
    },
    {
      name: 'unknown issuer',
      facts: token(mint({ iss: `https://${CANARY}.test/` })),
      expected: 'ERR_ISSUER_UNKNOWN',
    },
    {
      name: 'unknown kid',
      facts: token(
        handmade(
          attacker,
          { alg: 'ES256', typ: 'at+jwt', kid: `${CANARY}"\r\nSet-Cookie: a=b` },
          { ...validClaims(), ...canaryClaims },
        ),
      ),
      expected: 'ERR_KEY_NOT_FOUND',
    },
    {
      name: 'bad signature',
      facts: token(h.mint({ claims: canaryClaims, signWith: attacker.privateKey })),
      expected: 'ERR_SIGNATURE_INVALID',
    },
    { name: 'expired', facts: token(mint({ exp: NOW - 1 })), expected: 'ERR_TOKEN_EXPIRED' },
    { name: 'not yet valid', facts: token(mint({ nbf: NOW + 600 })), expected: 'ERR_TOKEN_NOT_YET_VALID' },
    {
      name: 'issued in the future',
      facts: token(mint({ iat: NOW + 600 })),
      expected: 'ERR_TOKEN_ISSUED_IN_FUTURE',
    },
    {
      name: 'too old',
      facts: token(mint({ iat: NOW - 7200, exp: NOW + 60 })),
      expected: 'ERR_TOKEN_TOO_OLD',
    },
    {
      name: 'lifetime too long',
      facts: token(mint({ exp: NOW + 400 * 86_400 })),
      expected: 'ERR_TOKEN_LIFETIME_TOO_LONG',
    },
    {
      name: 'wrong audience',
      facts: token(mint({ aud: `https://${CANARY}.test` })),
      expected: 'ERR_AUDIENCE_MISMATCH',
    },
    { name: 'missing claim', facts: token(mint({ jti: undefined })), expected: 'ERR_CLAIM_MISSING' },
    { name: 'invalid claim', facts: token(mint({ amr: CANARY })), expected: 'ERR_CLAIM_INVALID' },
    {
      name: 'insufficient scope',
      facts: token(mint()),
      requirement: requireScopes('orders:write'),
      expected: 'ERR_INSUFFICIENT_SCOPE',
    },
  ];
}
