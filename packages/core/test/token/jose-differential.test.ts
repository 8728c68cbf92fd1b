/**
 * jose as an independent oracle. nevertrust verifies tokens with its own code on `node:crypto`; `jose`'s
 * `jwtVerify`, given the same keys, algorithms and claim rules, must reach the same accept/refuse verdict
 * on generated tokens and mutations of them, for every algorithm both support — through the guard with
 * the verified-token cache off, and on (each token presented three times, so it is admitted and hit).
 *
 * Every disagreement must be one of the stricter rules listed in `STRICTER`, each with its checklist ID
 * and the exact code nevertrust refuses with; anything else fails the property (fast-check prints the seed
 * and the shrunk counterexample). Ed448 is left out: jose 6 no longer verifies it.
 */
import { randomUUID } from 'node:crypto';
import { bearer } from '@nevertrust/testkit';
import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Decision, ErrorCode } from '../../src/index.js';
import {
  ALGS,
  type Alg,
  ASYMMETRIC,
  ASYMMETRIC_ISSUER,
  AUDIENCE,
  build,
  guardWith,
  HMAC,
  HMAC_ISSUER,
  JWKS,
  MAX_AGE,
  MUTATIONS,
  type Mutation,
  NOW,
  REQUIRED,
  type Recipe,
  SECRET,
  TOLERANCE,
} from '../fixtures/differential-tokens.js';

/** Mostly the valid value, sometimes one of the deviants: most cases differ from a valid token in 0–2 ways. */
function mostly<T>(valid: fc.Arbitrary<T>, deviants: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 14 }, { arbitrary: deviants, weight: 1 });
}

/** The three seconds around a boundary: off-by-one errors in a time rule show up here. */
function around(boundary: number): fc.Arbitrary<number> {
  return fc.constantFrom(boundary - 1, boundary, boundary + 1);
}

const identifier = mostly<unknown>(fc.constant('user-1'), fc.constantFrom('', '  ', undefined, null, 7));
const recipe: fc.Arbitrary<Recipe> = fc
  .record({
    alg: fc.constantFrom(...ALGS),
    typ: mostly<unknown>(
      fc.constantFrom('at+jwt', 'application/at+jwt', 'AT+JWT'),
      fc.constantFrom('JWT', undefined),
    ),
    iss: mostly(fc.constant('right'), fc.constantFrom('other-trusted', 'unknown')),
    aud: mostly<unknown>(
      fc.constantFrom(AUDIENCE, ['other', AUDIENCE]),
      fc.constantFrom('other', [], undefined),
    ),
    // Around the age cap, the clock tolerance and "issued in the future".
    iat: mostly(
      fc.integer({ min: -600, max: 0 }),
      fc.oneof(
        fc.integer({ min: -MAX_AGE - 20, max: -MAX_AGE + 20 }),
        around(-MAX_AGE - TOLERANCE),
        fc.integer({ min: -20, max: 20 }),
        around(TOLERANCE),
        fc.constant(undefined),
      ),
    ),
    // Around expiry and the clock tolerance (exp − now ∈ [−20, 20]), and past the one-day lifetime cap.
    exp: mostly(
      fc.integer({ min: 600, max: 7200 }),
      fc.oneof(
        fc.integer({ min: -20, max: 20 }),
        around(-TOLERANCE),
        fc.constant(90_000),
        fc.constant(undefined),
      ),
    ),
    nbf: mostly(fc.constant(undefined), fc.oneof(fc.integer({ min: -20, max: 20 }), around(TOLERANCE))),
    sub: identifier,
    jti: identifier,
    clientId: identifier,
    scope: mostly<unknown>(fc.constantFrom('orders:read', 'a b', undefined), fc.constant(['orders:read'])),
    cnf: mostly<unknown>(fc.constant(undefined), fc.constantFrom({ jkt: 'x' }, { 'x5t#S256': 'y' })),
    mutation: fc.oneof(
      { arbitrary: fc.constant<Mutation>('none'), weight: 3 },
      { arbitrary: fc.constantFrom(...MUTATIONS), weight: 2 },
    ),
  })
  .map(({ alg, typ, iss, aud, iat, exp, nbf, sub, jti, clientId, scope, cnf, mutation }) => {
    const own = HMAC.includes(alg) ? HMAC_ISSUER : ASYMMETRIC_ISSUER;
    const other = own === HMAC_ISSUER ? ASYMMETRIC_ISSUER : HMAC_ISSUER;
    const issuedAt = iat === undefined ? undefined : NOW + iat;
    const claims: Record<string, unknown> = {
      iss: iss === 'right' ? own : iss === 'other-trusted' ? other : 'https://unknown.diff.test/',
      aud,
      sub,
      client_id: clientId,
      jti: jti === 'user-1' ? randomUUID() : jti,
      iat: issuedAt,
      exp: exp === undefined ? undefined : NOW + exp,
      nbf: nbf === undefined ? undefined : NOW + nbf,
      scope,
      cnf,
    };
    for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
    const header: Record<string, unknown> = { alg, kid: HMAC.includes(alg) ? 'any-name' : `k-${alg}` };
    if (typ !== undefined) header.typ = typ;
    return { alg, header, claims, mutation };
  });

/** The claim rules given to jose: the same as the guard's, in jose's terms. */
async function joseAccepts(token: string, alg: Alg): Promise<boolean> {
  const hmac = HMAC.includes(alg);
  try {
    await jwtVerify(token, hmac ? SECRET : JWKS, {
      issuer: hmac ? HMAC_ISSUER : ASYMMETRIC_ISSUER,
      audience: AUDIENCE,
      algorithms: hmac ? [...HMAC] : [...ASYMMETRIC],
      typ: 'at+jwt',
      requiredClaims: REQUIRED,
      clockTolerance: TOLERANCE,
      maxTokenAge: MAX_AGE,
      currentDate: new Date(NOW * 1000),
    });
    return true;
  } catch {
    return false;
  }
}

/** A documented stricter rule: its checklist ID, the code nevertrust refuses with, the cases it covers. */
interface StricterRule {
  readonly id: string;
  readonly code: ErrorCode;
  readonly applies: (recipe: Recipe) => boolean;
}

function byMutation(id: string, code: ErrorCode, ...mutations: Mutation[]): StricterRule {
  return { id, code, applies: ({ mutation }) => mutations.includes(mutation) };
}

/**
 * Rules on which nevertrust is deliberately stricter than jose: where jose accepts and nevertrust
 * refuses, one of these must apply to the case, and nevertrust must refuse with its code.
 */
const STRICTER: readonly StricterRule[] = [
  // RFC 9068 §2.2 identifiers present but empty: an ownership check would compare against nothing.
  {
    id: 'AT-3 blank sub/jti/client_id',
    code: 'ERR_CLAIM_INVALID',
    applies: ({ claims }) =>
      ['sub', 'jti', 'client_id'].some(
        (name) => typeof claims[name] === 'string' && (claims[name] as string).trim() === '',
      ),
  },
  // jose's requiredClaims only asks `name in payload`: a null claim counts as present there.
  {
    id: 'AT-3 null required claim',
    code: 'ERR_CLAIM_MISSING',
    applies: ({ claims }) => REQUIRED.some((name) => claims[name] === null),
  },
  // RFC 7519 §4.1.2, §4.1.7, RFC 9068 §2.2: sub, client_id, jti are strings (jose checks none of them).
  {
    id: 'AT-3 non-string identifier',
    code: 'ERR_CLAIM_INVALID',
    applies: ({ claims }) =>
      ['sub', 'jti', 'client_id'].some(
        (name) => claims[name] !== undefined && claims[name] !== null && typeof claims[name] !== 'string',
      ),
  },
  // Scope claims have one configured format each; an array in `scope` is not coerced (AT-5, attack #39).
  {
    id: 'AT-5 scope format',
    code: 'ERR_CLAIM_INVALID',
    applies: ({ claims }) => Array.isArray(claims.scope),
  },
  // RFC 9449 §7.2 / RFC 8705: a bound token is refused as Bearer (D-15, M-2).
  {
    id: 'D-15/M-2 cnf as Bearer',
    code: 'ERR_TOKEN_BOUND',
    applies: ({ claims }) => claims.cnf !== undefined,
  },
  // Lifetime cap: exp − iat beyond maxLifetimeSeconds (one day) (attack #26).
  {
    id: '#26 lifetime cap',
    code: 'ERR_TOKEN_LIFETIME_TOO_LONG',
    applies: ({ claims }) =>
      typeof claims.exp === 'number' && claims.exp - ((claims.iat as number | undefined) ?? NOW) > 86_400,
  },
  // NumericDate must be finite: jose takes exp = 1e999 (Infinity) as "never expires" (attack #26).
  byMutation('#26 non-finite exp', 'ERR_CLAIM_INVALID', 'infinite-exp'),
  // Duplicate member names and `__proto__` are refused; jose lets the last one win (J-13, #21, #22).
  byMutation('J-13/#21 duplicate names', 'ERR_TOKEN_MALFORMED', 'duplicate-sub'),
  byMutation('#22 __proto__ member', 'ERR_TOKEN_MALFORMED', 'proto-member'),
  // RFC 7515 §4.1.4: kid is a string; jose ignores kid altogether when given one secret (J-9, attack #11).
  byMutation('J-9/#11 non-string kid', 'ERR_TOKEN_MALFORMED', 'numeric-kid'),
  // The credential must be an RFC 6750 b64token of canonical base64url; jose decodes leniently (B-2, J-14, #38).
  byMutation(
    'B-2/J-14 whitespace in the credential',
    'ERR_MALFORMED_CREDENTIALS',
    'trailing-newline',
    'space-inside',
  ),
  byMutation('J-14/#38 non-canonical base64url', 'ERR_TOKEN_MALFORMED', 'non-canonical-base64', 'padding'),
];

function verdict(decision: Decision): string {
  return decision.outcome === 'allow' ? 'allow' : decision.code;
}

describe('jose as the independent oracle (differential, every algorithm both support)', () => {
  it.each(ALGS)('%s: a valid token is accepted by both, a flipped signature refused by both', async (alg) => {
    const guard = guardWith(false);
    const valid: Recipe = {
      alg,
      header: { alg, typ: 'at+jwt', kid: HMAC.includes(alg) ? 'any-name' : `k-${alg}` },
      claims: {
        iss: HMAC.includes(alg) ? HMAC_ISSUER : ASYMMETRIC_ISSUER,
        aud: AUDIENCE,
        sub: 'user-1',
        client_id: 'client-1',
        jti: randomUUID(),
        iat: NOW - 10,
        exp: NOW + 600,
      },
      mutation: 'none',
    };
    for (const [mutation, accepted] of [
      ['none', true],
      ['flip-signature', false],
      ['tamper-payload', false],
      ['resign-other-alg', HMAC.includes(alg)],
    ] as const) {
      const recipeOf = { ...valid, mutation };
      const token = build(recipeOf);
      expect(verdict(await guard.evaluate(bearer(token))) === 'allow', `${alg} ${mutation}`).toBe(accepted);
      expect(await joseAccepts(token, alg), `jose ${alg} ${mutation}`).toBe(accepted);
    }
    await guard.close();
  });

  it('nevertrust (cache off and on) and jose agree on accept/refuse, except for the listed stricter rules', async () => {
    const uncached = guardWith(false);
    const cached = guardWith(true);
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(recipe, async (generated) => {
        const token = build(generated);
        const fresh = verdict(await uncached.evaluate(bearer(token)));
        // Three presentations: verified, admitted on the second, answered from the cache on the third.
        for (let round = 0; round < 3; round++) {
          expect(verdict(await cached.evaluate(bearer(token))), `cache round ${round}`).toBe(fresh);
        }
        const jose = await joseAccepts(token, generated.alg);
        if ((fresh === 'allow') === jose) {
          seen.set(
            jose ? 'agree: allow' : 'agree: refuse',
            (seen.get(jose ? 'agree: allow' : 'agree: refuse') ?? 0) + 1,
          );
          return;
        }
        // nevertrust accepting what jose refuses would be a bug: no rule allows it.
        expect(fresh, 'nevertrust accepted a token jose refuses').not.toBe('allow');
        const rule = STRICTER.find((candidate) => candidate.code === fresh && candidate.applies(generated));
        expect(
          rule?.id,
          `nevertrust refused with ${fresh}, jose accepted; no stricter rule explains it`,
        ).toBeDefined();
        seen.set(rule?.id as string, (seen.get(rule?.id as string) ?? 0) + 1);
      }),
      { numRuns: 1500 },
    );
    await Promise.all([uncached.close(), cached.close()]);
    // The generator reaches both verdicts on both sides, and the stricter rules are exercised, not dead.
    expect(seen.get('agree: allow') ?? 0).toBeGreaterThan(10);
    expect(seen.get('agree: refuse') ?? 0).toBeGreaterThan(10);
    expect(seen.size).toBeGreaterThan(6);
  });
});
