/**
 * Verification keys at start-up: checklist J-5, K-7, K-8, K-9; attacks #5, #18, #19. An unusable or
 * dangerous key is a ConfigError naming the option, never a run-time 401.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, createGuard, type IssuerOptions } from '../../src/index.js';
import { importJwk, importPem, importSecret } from '../../src/keys/keys.js';
import { AUDIENCE, ISSUER, testKey } from '../support.js';

function configProblems(issuer: Partial<IssuerOptions>): readonly string[] {
  try {
    createGuard({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, ...issuer }] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return expect.fail('expected a ConfigError');
}

describe('J-5/#18: HMAC secrets', () => {
  it.each([
    ['empty', ''],
    ['a password', 'hunter2'],
    ['31 bytes', `${'q7'.repeat(15)}Z`],
  ])(
    'an HS256 secret that is %s is a ConfigError naming issuers[0].secret, without echoing it',
    (_name, secret) => {
      const problems = configProblems({ secret, algorithms: ['HS256'] });
      expect(problems.join('\n')).toContain('issuers[0].secret');
      if (secret.length > 3) expect(problems.join('\n')).not.toContain(secret);
    },
  );

  it('the minimum is the hash size of every configured HS algorithm', () => {
    const secret = new Uint8Array(32).fill(1);
    expect(() =>
      createGuard({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, secret, algorithms: ['HS256'] }] }),
    ).not.toThrow();
    expect(configProblems({ secret, algorithms: ['HS384'] }).join()).toMatch(/48 bytes/);
    expect(configProblems({ secret, algorithms: ['HS256', 'HS512'] }).join()).toMatch(/64 bytes for HS512/);
    expect(importSecret(new Uint8Array(31), 'HS256').ok).toBe(false);
    expect(importSecret(new Uint8Array(32).fill(3), 'HS256').ok).toBe(true);
  });

  it('HS* algorithms without a secret are a ConfigError', () => {
    const key = testKey('ES256');
    expect(configProblems({ keys: [key.jwk], algorithms: ['ES256', 'HS256'] }).join()).toContain(
      'issuers[0].algorithms',
    );
    expect(configProblems({ jwksUri: 'https://idp.test/jwks', algorithms: ['HS256'] }).join()).toContain(
      'issuers[0].algorithms',
    );
  });

  it('a secret with asymmetric algorithms, or with none stated, is a ConfigError', () => {
    const secret = 'k'.repeat(64);
    expect(configProblems({ secret, algorithms: ['HS256', 'RS256'] }).join()).toContain(
      'issuers[0].algorithms',
    );
    expect(configProblems({ secret }).join()).toContain('issuers[0].algorithms');
  });

  it('#5: the issuer public key given as the HMAC secret is refused in every form', () => {
    const rsa = testKey('RS256');
    const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const forms: [string, string | Uint8Array][] = [
      ['SPKI PEM', spki],
      ['PKCS#1 PEM', rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string],
      ['PEM with a leading newline', `\n${spki}`],
      ['PEM with CRLF', spki.replaceAll('\n', '\r\n')],
      ['JWK JSON', JSON.stringify(rsa.jwk)],
      ['SPKI DER', rsa.publicKey.export({ type: 'spki', format: 'der' })],
      ['PKCS#1 DER', rsa.publicKey.export({ type: 'pkcs1', format: 'der' })],
      ['an X.509 certificate PEM', '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n'],
    ];
    for (const [name, secret] of forms) {
      const problems = configProblems({ secret, algorithms: ['HS256'] });
      expect(problems.join(), name).toMatch(/issuers\[0\]\.secret: secret is a key/);
    }
  });
});

describe('#19/K-9: weak RSA keys are refused at configuration', () => {
  const weak = [
    ['1024-bit', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey],
    ['e = 3', generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).publicKey],
    ['e = 65539', generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65539 }).publicKey],
  ] as const;

  it.each(weak)('a %s key as a JWK → ConfigError naming issuers[0].keys[0]', (_name, publicKey) => {
    const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'RS256', kid: 'weak' };
    expect(configProblems({ keys: [jwk] }).join()).toMatch(/issuers\[0\]\.keys\[0\]: RSA/);
  });

  it.each(weak)('a %s key as a PEM → ConfigError', (_name, publicKey) => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(configProblems({ keys: [pem] }).join()).toMatch(/issuers\[0\]\.keys\[0\]: RSA/);
  });

  it('every bad key of every issuer is reported at once', () => {
    const good = testKey('ES256');
    const bad = { ...weak[0][1].export({ format: 'jwk' }), alg: 'RS256' };
    const problems = configProblems({ keys: [good.jwk, bad, bad] });
    expect(problems.filter((problem) => problem.startsWith('issuers[0].keys['))).toHaveLength(2);
  });
});

describe('K-7/K-8: only public verification keys', () => {
  const ec = testKey('ES256');
  const privateJwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'p', alg: 'ES256' };

  it.each([
    ['a private JWK (d)', privateJwk],
    ['a symmetric JWK (oct)', { kty: 'oct', k: 'c2VjcmV0', alg: 'HS256', kid: 'o' }],
    ['an encryption key (use: enc)', { ...ec.jwk, use: 'enc' }],
    ['a key without verify in key_ops', { ...ec.jwk, key_ops: ['encrypt'] }],
    ['a non-string kid', { ...ec.jwk, kid: 7 }],
    ['an alg outside the issuer allow-list', { ...ec.jwk, alg: 'ES384' }],
    ['an alg that does not fit the key', { ...ec.jwk, alg: 'RS256' }],
    ['an unknown key type', { kty: 'DSA', kid: 'd' }],
    ['garbage coordinates', { ...ec.jwk, x: 'AAAA' }],
  ])('%s is refused', (_name, jwk) => {
    expect(importJwk(jwk, ['ES256', 'RS256']).ok).toBe(false);
    expect(configProblems({ keys: [jwk], algorithms: ['ES256', 'RS256'] }).join()).toContain(
      'issuers[0].keys[0]',
    );
  });

  it('a private key PEM is refused and not echoed', () => {
    const pem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(importPem(pem, ['ES256']).ok).toBe(false);
    const problems = configProblems({ keys: [pem] }).join();
    expect(problems).toContain('issuers[0].keys[0]');
    expect(problems).not.toContain(pem.split('\n')[1] as string);
  });

  it('a public key kept with use: sig and key_ops: [verify] is accepted', () => {
    expect(importJwk({ ...ec.jwk, key_ops: ['verify'] }, ['ES256']).ok).toBe(true);
  });
});
