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
import { Buffer } from 'node:buffer';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { b64url, bearer, signRaw } from '@nevertrust/testkit';
import fc from 'fast-check';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createGuard, type Decision, type ErrorCode, type Guard, type IssuerOptions } from '../src/index.js';

const NOW = 1_750_000_000;
const TOLERANCE = 5;
const MAX_AGE = 3600;
const AUDIENCE = 'https://api.diff.test';
const ASYMMETRIC_ISSUER = 'https://asymmetric.diff.test/';
const HMAC_ISSUER = 'https://hmac.diff.test/';
const REQUIRED = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

type Alg =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'
  | 'HS256'
  | 'HS384'
  | 'HS512';
const ASYMMETRIC: readonly Alg[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const HMAC: readonly Alg[] = ['HS256', 'HS384', 'HS512'];
const ALGS: readonly Alg[] = [...ASYMMETRIC, ...HMAC];

// One key per asymmetric algorithm, each pinned to it by its JWK `alg` (RFC 8725 §3.1).
const SECRET = randomBytes(64);
const keys = new Map<Alg, { privateKey: Parameters<typeof signRaw>[1]; jwk: JWK }>();
for (const alg of ASYMMETRIC) {
  const pair =
    alg.startsWith('RS') || alg.startsWith('PS')
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg.startsWith('ES')
        ? generateKeyPairSync('ec', {
            namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'],
          })
        : generateKeyPairSync('ed25519');
  const jwk = { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), kid: `k-${alg}`, alg, use: 'sig' };
  keys.set(alg, { privateKey: pair.privateKey, jwk });
}
const JWKS = createLocalJWKSet({ keys: [...keys.values()].map((key) => key.jwk) });

function guardWith(cache: boolean): Guard {
  const common = { audience: AUDIENCE, maxTokenAgeSeconds: MAX_AGE };
  const issuers: IssuerOptions[] = [
    {
      ...common,
      issuer: ASYMMETRIC_ISSUER,
      keys: [...keys.values()].map((key) => key.jwk as Record<string, unknown>),
      algorithms: [...ASYMMETRIC],
    },
    { ...common, issuer: HMAC_ISSUER, secret: SECRET, algorithms: [...HMAC] },
  ];
  return createGuard({
    issuers,
    clock: () => NOW * 1000,
    clockToleranceSeconds: TOLERANCE,
    ...(cache ? {} : { cache: false as const }),
    openTelemetry: false,
  });
}

/** What a generated case is made of: a token's parts, then one mutation of the signed token. */
interface Recipe {
  readonly alg: Alg;
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly mutation: Mutation;
}

type Mutation =
  | 'none'
  | 'flip-signature'
  | 'tamper-payload'
  | 'resign-other-alg'
  | 'drop-kid'
  | 'unknown-kid'
  | 'numeric-kid'
  | 'alg-none'
  | 'crit'
  | 'embedded-jwk'
  | 'duplicate-sub'
  | 'proto-member'
  | 'infinite-exp'
  | 'trailing-newline'
  | 'space-inside'
  | 'non-canonical-base64'
  | 'padding';

const MUTATIONS: readonly Mutation[] = [
  'flip-signature',
  'tamper-payload',
  'resign-other-alg',
  'drop-kid',
  'unknown-kid',
  'numeric-kid',
  'alg-none',
  'crit',
  'embedded-jwk',
  'duplicate-sub',
  'proto-member',
  'infinite-exp',
  'trailing-newline',
  'space-inside',
  'non-canonical-base64',
  'padding',
];

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

/** Signs under `alg` with the key of `keyOf` (by default the key pinned to `alg` itself). */
function sign(alg: Alg, headerText: string, payloadText: string, keyOf: Alg = alg): string {
  const input = `${b64url(headerText)}.${b64url(payloadText)}`;
  const key = HMAC.includes(keyOf) ? SECRET : (keys.get(keyOf)?.privateKey as Parameters<typeof signRaw>[1]);
  return `${input}.${b64url(signRaw(alg === 'Ed25519' ? 'EdDSA' : alg, key, input))}`;
}

function otherAlgOfSameKeyType(alg: Alg): Alg {
  const family = ALGS.filter((candidate) => candidate.slice(0, 2) === alg.slice(0, 2) && candidate !== alg);
  if (alg === 'EdDSA') return 'Ed25519';
  if (alg === 'Ed25519') return 'EdDSA';
  return family[0] as Alg;
}

/** The token of a recipe, with its mutation applied. */
function build({ alg, header, claims, mutation }: Recipe): string {
  const json = (value: unknown) => JSON.stringify(value);
  const payload = json(claims);
  const headerWith = (extra: Record<string, unknown>) => json({ ...header, ...extra });
  switch (mutation) {
    case 'flip-signature': {
      const [h, p, s] = sign(alg, json(header), payload).split('.') as [string, string, string];
      const bytes = Buffer.from(s, 'base64url');
      bytes[0] = (bytes[0] as number) ^ 0x01;
      return `${h}.${p}.${b64url(bytes)}`;
    }
    case 'tamper-payload': {
      const [h, , s] = sign(alg, json(header), payload).split('.') as [string, string, string];
      return `${h}.${b64url(json({ ...claims, scope: 'orders:admin' }))}.${s}`;
    }
    case 'resign-other-alg': {
      // The same key used with another algorithm of its type (RS256 key → RS384 signature): J-1, #6, #7.
      const swapped = otherAlgOfSameKeyType(alg);
      return sign(swapped, headerWith({ alg: swapped }), payload, alg);
    }
    case 'drop-kid': {
      const { kid: _kid, ...rest } = header;
      return sign(alg, json(rest), payload);
    }
    case 'unknown-kid':
      return sign(alg, headerWith({ kid: 'no-such-key' }), payload);
    case 'numeric-kid':
      return sign(alg, headerWith({ kid: 42 }), payload);
    case 'alg-none':
      return `${b64url(headerWith({ alg: 'none' }))}.${b64url(payload)}.`;
    case 'crit':
      return sign(alg, headerWith({ crit: ['exp2'], exp2: 1 }), payload);
    case 'embedded-jwk':
      return sign(
        alg,
        headerWith({ jwk: { kty: 'oct', k: 'AAAA' }, jku: 'http://127.0.0.1:9/jwks' }),
        payload,
      );
    case 'duplicate-sub':
      return sign(alg, json(header), `${payload.slice(0, -1)},"sub":"someone-else"}`);
    case 'proto-member':
      return sign(alg, json(header), `${payload.slice(0, -1)},"__proto__":{"admin":true}}`);
    case 'infinite-exp':
      return sign(alg, json(header), `${json({ ...claims, exp: 0 }).replace('"exp":0', '"exp":1e999')}`);
    case 'trailing-newline':
      return `${sign(alg, json(header), payload)}\n`;
    case 'space-inside': {
      const token = sign(alg, json(header), payload);
      return `${token.slice(0, 10)} ${token.slice(10)}`;
    }
    case 'non-canonical-base64': {
      // The last character of a segment whose length is not a multiple of 4 carries unused low bits:
      // setting one spells the same bytes in a non-canonical way (RFC 4648 §3.5).
      const [h, p, s] = sign(alg, json(header), payload).split('.') as [string, string, string];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      if (s.length % 4 === 0) return `${h}.${p}.${s}`;
      const last = alphabet.indexOf(s.at(-1) as string);
      return `${h}.${p}.${s.slice(0, -1)}${alphabet[last | 1]}`;
    }
    case 'padding': {
      const token = sign(alg, json(header), payload);
      return token.length % 4 === 0 ? token : `${token}=`;
    }
    default:
      return sign(alg, json(header), payload);
  }
}

/** The claim rules given to jose: the same as the guard's, in jose's terms. */
async function joseAccepts(token: string, claims: Record<string, unknown>, alg: Alg): Promise<boolean> {
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
    return claims !== undefined;
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
      expect(await joseAccepts(token, recipeOf.claims, alg), `jose ${alg} ${mutation}`).toBe(accepted);
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
        const jose = await joseAccepts(token, generated.claims, generated.alg);
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
