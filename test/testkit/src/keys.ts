/** Key pairs for tests, generated fresh per test run (never committed). */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

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

/** The key generator's arguments for `alg`. */
function generatorFor(
  alg: TestAlgorithm,
): ['rsa', { modulusLength: number }] | ['ec', { namedCurve: string }] | ['ed25519', object] {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return ['rsa', { modulusLength: 2048 }];
    case 'ES256':
      return ['ec', { namedCurve: 'P-256' }];
    case 'ES384':
      return ['ec', { namedCurve: 'P-384' }];
    case 'EdDSA':
      return ['ed25519', {}];
  }
}

/**
 * A fresh key pair as KeyObjects of their own. Node 20 can deadlock when a key object that came straight
 * out of `generateKeyPairSync` is exported as a JWK while a garbage collection finalises the generator's
 * job: the job's destructor takes the mutex the export holds (seen as a test process stuck in a futex
 * wait, stack `ExportJWK` → GC → `~KeyGenJob` → `uv_mutex_lock`). Keys generated as PEM and imported
 * again share nothing with the job.
 */
function pairFor(alg: TestAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  const [type, options] = generatorFor(alg);
  const pem = generateKeyPairSync(type as 'rsa', {
    ...(options as { modulusLength: number }),
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey: createPrivateKey(pem.privateKey), publicKey: createPublicKey(pem.publicKey) };
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
