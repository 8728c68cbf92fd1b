/** Key pairs for tests, generated fresh per test run (never committed). */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';

/** A signing key pair with its public JWK. */
export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Public JWK with `kid`, `alg` and `use`, as an issuer would publish it. */
  readonly jwk: Record<string, unknown>;
}

/** Algorithms the key generator knows. */
export type TestAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

function pairFor(alg: TestAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
  }
}

/**
 * Generates a key pair for `alg`.
 *
 * @example
 * ```ts
 * const key = generateTestKey('ES256', 'k1');
 * ```
 */
export function generateTestKey(
  alg: TestAlgorithm = 'RS256',
  kid = `kid-${randomBytes(4).toString('hex')}`,
): TestKey {
  const { privateKey, publicKey } = pairFor(alg);
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, jwk };
}
