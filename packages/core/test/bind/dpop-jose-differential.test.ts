/**
 * jose as the oracle of the hand-written DPoP code: RFC 7638 thumbprints of generated keys of every type,
 * and proofs — made by jose's `SignJWT` and then mutated — that the core's proof verifier and jose's
 * `jwtVerify` with `EmbeddedJWK` (plus the RFC 9449 §4.3 claim checks jose leaves to the caller) must
 * agree on. nevertrust accepting a proof jose refuses is never permitted; the one stricter rule is named.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { accessTokenHash } from '@nevertrust/testkit';
import fc from 'fast-check';
import { calculateJwkThumbprint, EmbeddedJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createProofVerifier } from '../../src/bind/dpop-proof.js';
import { jwkThumbprint } from '../../src/bind/jwk-thumbprint.js';

const NOW = 1_750_000_000;
const HTU = 'https://api.example.com/orders';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';

const PAIRS: readonly [string, () => { privateKey: KeyObject; publicKey: KeyObject }][] = [
  ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['ES384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
  ['PS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['EdDSA', () => generateKeyPairSync('ed25519')],
];
const KEYS = PAIRS.map(([alg, make]) => ({ alg, ...make() }));

describe('RFC 7638 thumbprints agree with jose.calculateJwkThumbprint', () => {
  it('the RFC 7638 §3.1 example key', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each(KEYS.map((key) => [key.alg, key] as const))('%s keys', async (_alg, key) => {
    const jwk = key.publicKey.export({ format: 'jwk' }) as JWK;
    // Members beyond the required ones never change the thumbprint.
    const decorated = { ...jwk, kid: 'k', use: 'sig', alg: 'x' };
    expect(jwkThumbprint(decorated)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('a key missing a required member, or of an unknown type, has none', () => {
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'AA' })).toBeUndefined();
    expect(jwkThumbprint({ kty: 'oct', k: 'AA' })).toBeUndefined();
    expect(jwkThumbprint({ kty: '__proto__' })).toBeUndefined();
  });
});

type Mutation =
  | 'none'
  | 'typ'
  | 'alg-header'
  | 'tamper'
  | 'private-jwk'
  | 'htm'
  | 'htu'
  | 'old'
  | 'future'
  | 'ath'
  | 'no-jti';
const MUTATIONS: readonly Mutation[] = [
  'none',
  'typ',
  'alg-header',
  'tamper',
  'private-jwk',
  'htm',
  'htu',
  'old',
  'future',
  'ath',
  'no-jti',
];

async function makeProof(key: (typeof KEYS)[number], mutation: Mutation, jti: string): Promise<string> {
  const publicJwk = key.publicKey.export({ format: 'jwk' }) as JWK;
  const jwk = mutation === 'private-jwk' ? (key.privateKey.export({ format: 'jwk' }) as JWK) : publicJwk;
  const claims: Record<string, unknown> = {
    htm: mutation === 'htm' ? 'POST' : 'GET',
    htu: mutation === 'htu' ? 'https://api.example.com/other' : HTU,
    ath: accessTokenHash(mutation === 'ath' ? 'another token' : TOKEN),
  };
  if (mutation !== 'no-jti') claims.jti = jti;
  const iat = mutation === 'old' ? NOW - 600 : mutation === 'future' ? NOW + 600 : NOW;
  const proof = await new SignJWT(claims)
    .setProtectedHeader({ typ: mutation === 'typ' ? 'JWT' : 'dpop+jwt', alg: key.alg, jwk })
    .setIssuedAt(iat)
    .sign(key.privateKey);
  if (mutation === 'alg-header') {
    const [, payload, signature] = proof.split('.');
    const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'HS256', jwk: publicJwk })).toString(
      'base64url',
    );
    return `${header}.${payload}.${signature}`;
  }
  if (mutation === 'tamper') {
    const [header, , signature] = proof.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims, jti, iat, htm: 'PUT' })).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }
  return proof;
}

/** jose's verdict, with the RFC 9449 §4.3 checks jose leaves to its caller. */
async function joseAccepts(proof: string): Promise<boolean> {
  try {
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'],
      currentDate: new Date(NOW * 1000),
      maxTokenAge: 300,
      clockTolerance: 5,
    });
    if (!protectedHeader.jwk) return false;
    return (
      typeof payload.jti === 'string' &&
      payload.htm === 'GET' &&
      payload.htu === HTU &&
      payload.ath === accessTokenHash(TOKEN) &&
      typeof payload.iat === 'number' &&
      payload.iat <= NOW + 5
    );
  } catch {
    return false;
  }
}

describe('proof verification agrees with jose (EmbeddedJWK)', () => {
  const verify = createProofVerifier({
    algorithms: new Set(['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA']),
    maxAgeSeconds: 300,
    futureSkewSeconds: 5,
  });

  it('on generated keys and mutations (D-4…D-12)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: KEYS.length - 1 }),
        fc.constantFrom(...MUTATIONS),
        fc.string({ minLength: 1, maxLength: 40 }),
        async (index, mutation, jti) => {
          const key = KEYS[index] as (typeof KEYS)[number];
          const proof = await makeProof(key, mutation, jti);
          const ours = verify(proof, {
            method: 'GET',
            uris: [HTU],
            tokenHash: accessTokenHash(TOKEN),
            nowSeconds: NOW,
          });
          const theirs = await joseAccepts(proof);
          expect(ours.ok, `${key.alg} ${mutation}: nevertrust ${ours.ok ? 'accepts' : 'refuses'}`).toBe(
            theirs,
          );
          expect(ours.ok).toBe(mutation === 'none');
          if (ours.ok) {
            const jwk = key.publicKey.export({ format: 'jwk' }) as JWK;
            expect(ours.proof.jkt).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
