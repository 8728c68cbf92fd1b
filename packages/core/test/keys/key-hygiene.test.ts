/**
 * Key hygiene on import (checklist J-5, K-7, K-8, K-9; attack #19): weak keys are refused — static ones as
 * a ConfigError naming the option, at start-up. Fetched ones are covered by jwks-hygiene.test.ts.
 */
import { Buffer } from 'node:buffer';
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, createGuard, type IssuerOptions } from '../../src/index.js';
import { edwardsPointProblem, weierstrassPointProblem } from '../../src/keys/curve-points.js';
import { hasRocaFingerprint, jwkRefusal, keyMaterialRefusal } from '../../src/keys/key-hygiene.js';
import { importJwk, importPem } from '../../src/keys/keys.js';
import { generateRocaKey, ROCA_M } from '../fixtures/roca-key.js';
import { AUDIENCE, ISSUER, testKey } from '../support.js';

function configProblems(issuer: Partial<IssuerOptions>): string {
  try {
    createGuard({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, ...issuer }] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join('\n');
  }
  return expect.fail('expected a ConfigError');
}

function modulusOf(jwk: Record<string, unknown>): bigint {
  return BigInt(`0x${Buffer.from(jwk.n as string, 'base64url').toString('hex')}`);
}

function ruleOf(jwk: Record<string, unknown>, allowed = ['RS256', 'ES256', 'EdDSA'] as const) {
  const imported = importJwk(jwk, allowed);
  return imported.ok ? 'accepted' : imported.rule;
}

describe('K-9/#19: ROCA (CVE-2017-15361)', () => {
  const roca = generateRocaKey('roca');

  it('the test vector has the RSALib structure and is a working key pair', () => {
    const n = modulusOf(roca.jwk);
    expect(n.toString(2)).toHaveLength(2048);
    const data = Buffer.from('payload');
    expect(verify('sha256', data, roca.publicKey, sign('sha256', data, roca.privateKey))).toBe(true);
    expect(n % ROCA_M).not.toBe(0n);
  });

  it('the fingerprint test flags ROCA moduli', () => {
    expect(hasRocaFingerprint(modulusOf(roca.jwk))).toBe(true);
    expect(hasRocaFingerprint(modulusOf(generateRocaKey('roca-3072', 3072).jwk))).toBe(true);
  });

  it('the fingerprint test passes genuine keys and random moduli (false positives ≈ 2⁻²⁸)', () => {
    for (let i = 0; i < 3; i++) {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expect(keyMaterialRefusal(publicKey)).toBeUndefined();
    }
    for (let i = 0; i < 2000; i++) {
      const n = BigInt(`0x${randomBytes(256).toString('hex')}`) | 1n;
      expect(hasRocaFingerprint(n)).toBe(false);
    }
  });

  it('a ROCA key configured as a JWK or a PEM is a ConfigError naming the option', () => {
    expect(configProblems({ keys: [roca.jwk] })).toMatch(/issuers\[0\]\.keys\[0\]: .*ROCA/);
    const pem = roca.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(configProblems({ keys: [testKey('ES256').jwk, pem] })).toMatch(/issuers\[0\]\.keys\[1\]: .*ROCA/);
    expect(ruleOf(roca.jwk)).toBe('rsa-roca');
  });
});

describe('K-9/#19: RSA public exponent and size', () => {
  const base = testKey('RS256').jwk;
  it.each([
    ['e = 1', 'AQ'],
    ['e = 2', 'Ag'],
    ['e = 65536 (even)', 'AQAA'],
    ['e = 3', 'Aw'],
  ])('%s is refused (only 65537 is accepted)', (_name, e) => {
    const jwk = { ...base, e };
    expect(importJwk(jwk, ['RS256']).ok).toBe(false);
    expect(configProblems({ keys: [jwk] })).toContain('issuers[0].keys[0]');
  });

  it('an RSA key under 2048 bits is refused with its rule', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1536 });
    expect(keyMaterialRefusal(publicKey)?.rule).toBe('rsa-too-short');
    expect(ruleOf({ ...base, e: 'AQ' })).toBe('rsa-exponent');
  });
});

describe('EC points (K-9)', () => {
  const ec = testKey('ES256');

  it('a point off the curve is refused (Node already refuses it; our own check agrees)', () => {
    const y = Buffer.from(ec.jwk.y as string, 'base64url');
    y[31] = (y[31] as number) ^ 1;
    expect(ruleOf({ ...ec.jwk, y: y.toString('base64url') })).toBe('ec-point');
    const x = BigInt(`0x${Buffer.from(ec.jwk.x as string, 'base64url').toString('hex')}`);
    const goodY = BigInt(`0x${Buffer.from(ec.jwk.y as string, 'base64url').toString('hex')}`);
    expect(weierstrassPointProblem('P-256', x, goodY)).toBeUndefined();
    expect(weierstrassPointProblem('P-256', x, goodY + 1n)).toBe('EC point is not on the curve');
    expect(weierstrassPointProblem('P-256', x + 2n ** 256n, goodY)).toMatch(/not reduced/);
  });

  it('zero-padded coordinates (33 bytes for P-256), which Node accepts, are refused', () => {
    const padded = (value: unknown) =>
      Buffer.concat([Buffer.alloc(1), Buffer.from(value as string, 'base64url')]).toString('base64url');
    const jwk = { ...ec.jwk, x: padded(ec.jwk.x), y: padded(ec.jwk.y) };
    expect(() => createPublicKey({ key: jwk as never, format: 'jwk' })).not.toThrow();
    expect(ruleOf(jwk)).toBe('ec-point');
    expect(jwkRefusal(jwk)?.reason).toBe('x is not 32 bytes');
  });

  it('the point at infinity in a PEM is a ConfigError, not a crash of the process', () => {
    // SPKI of P-256 whose subjectPublicKey is the single octet 0x00 (the point at infinity, SEC 1 §2.3.3).
    const der = ec.publicKey.export({ type: 'spki', format: 'der' });
    const algorithm = der.subarray(2, 2 + 2 + (der[3] as number));
    const body = Buffer.concat([algorithm, Buffer.from([0x03, 0x02, 0x00, 0x00])]);
    const spki = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    const pem = `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`;
    const imported = importPem(pem, ['ES256']);
    expect(imported.ok === false && imported.rule).toBe('ec-point');
    expect(configProblems({ keys: [pem] })).toMatch(/issuers\[0\]\.keys\[0\]: EC point/);
  });

  it('genuine keys on every supported curve pass', () => {
    for (const namedCurve of ['P-256', 'P-384', 'P-521']) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve });
      expect(keyMaterialRefusal(publicKey), namedCurve).toBeUndefined();
      expect(jwkRefusal(publicKey.export({ format: 'jwk' }) as Record<string, unknown>)).toBeUndefined();
    }
  });
});

describe('Edwards points of small order (RFC 8032)', () => {
  const identity = Buffer.alloc(32);
  identity[0] = 1;
  const okp = (x: Buffer, crv = 'Ed25519') => ({ kty: 'OKP', crv, x: x.toString('base64url'), kid: 'o' });

  it('the Ed25519 identity imports in Node and then verifies a forged signature for any message', () => {
    const key = createPublicKey({ key: okp(identity) as never, format: 'jwk' });
    const forged = Buffer.alloc(64);
    forged[0] = 1; // R = identity, S = 0
    expect(verify(null, Buffer.from('any message'), key, forged)).toBe(true);
    expect(ruleOf(okp(identity))).toBe('okp-point');
    expect(configProblems({ keys: [okp(identity)], algorithms: ['EdDSA'] })).toMatch(
      /issuers\[0\]\.keys\[0\]: Ed25519 key is a point of small order/,
    );
  });

  it.each([
    ['order 2 (y = −1)', Buffer.from((2n ** 255n - 20n).toString(16), 'hex').reverse()],
    ['order 4 (y = 0)', Buffer.alloc(32)],
    ['order 4 with the sign bit set', Buffer.from([...Buffer.alloc(31), 0x80])],
  ])('Ed25519 of %s is refused', (_name, x) => {
    expect(edwardsPointProblem('Ed25519', x)).toBe('Ed25519 key is a point of small order');
  });

  it('a non-canonical encoding (y ≥ p) and a wrong length are refused', () => {
    const nonCanonical = Buffer.from((2n ** 255n - 18n).toString(16), 'hex').reverse(); // p + 1
    expect(edwardsPointProblem('Ed25519', nonCanonical)).toMatch(/not canonical/);
    expect(jwkRefusal(okp(Buffer.concat([identity, Buffer.alloc(1)])))?.rule).toBe('okp-point');
  });

  it('the Ed448 identity is refused; genuine Ed25519 and Ed448 keys pass', () => {
    const identity448 = Buffer.alloc(57);
    identity448[0] = 1;
    expect(edwardsPointProblem('Ed448', identity448)).toBe('Ed448 key is a point of small order');
    for (let i = 0; i < 10; i++) {
      for (const type of ['ed25519', 'ed448'] as const) {
        expect(keyMaterialRefusal(generateKeyPairSync(type as 'ed25519').publicKey), type).toBeUndefined();
      }
    }
  });
});

describe('K-7/K-8: member rules name their rule', () => {
  const ec = testKey('ES256');
  it.each([
    ['use: enc', { ...ec.jwk, use: 'enc' }, 'not-for-verification'],
    ['key_ops without verify', { ...ec.jwk, key_ops: ['sign'] }, 'not-for-verification'],
    ['a private member d', { ...ec.jwk, d: 'AAAA' }, 'private-or-symmetric'],
    ['kty oct without k', { kty: 'oct', kid: 'o', alg: 'HS256' }, 'private-or-symmetric'],
    ['an RSA private member qi', { ...testKey('RS256').jwk, qi: 'AAAA' }, 'private-or-symmetric'],
  ])('%s → %s', (_name, jwk, rule) => {
    expect(ruleOf(jwk)).toBe(rule);
  });
});
