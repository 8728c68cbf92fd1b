/**
 * Verification keys: import from JWK, PEM or an HMAC secret, each pinned to exactly one algorithm
 * (RFC 8725 §3.1; checklist J-1, J-5, K-7, K-8, K-9), and a key set looked up by `kid` only as an opaque
 * map key (J-9, attack #11).
 */
import { Buffer } from 'node:buffer';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import {
  isHmacAlgorithm,
  keyProblem,
  minimumSecretBytes,
  pinAlgorithm,
  type SignatureAlgorithm,
} from '../token/algorithms.js';
import { jwkRefusal, type KeyRefusal, type KeyRule, keyMaterialRefusal } from './key-hygiene.js';

/** A key ready to verify signatures of one algorithm. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly alg: SignatureAlgorithm;
  readonly key: KeyObject;
}

/** Result of importing one key; a refusal names the hygiene rule it broke (`unusable` for the rest). */
export type KeyImport =
  | { readonly ok: true; readonly key: VerificationKey }
  | { readonly ok: false; readonly reason: string; readonly rule: KeyRule };

const KEY_TEXT = /-----BEGIN [A-Z0-9 ]+-----|"kty"\s*:/;
const CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

function fail(reason: string, rule: KeyRule = 'unusable'): KeyImport {
  return { ok: false, reason, rule };
}

function refused(refusal: KeyRefusal): KeyImport {
  return fail(refusal.reason, refusal.rule);
}

function finish(kid: string | undefined, alg: SignatureAlgorithm | undefined, key: KeyObject): KeyImport {
  if (!alg) return fail('no allowed algorithm fits this key');
  const problem = keyProblem(alg, key);
  return problem ? fail(problem) : { ok: true, key: { kid, alg, key } };
}

/**
 * Imports a public JWK for signature verification. Keys for encryption (`use`, `key_ops`), symmetric keys,
 * anything carrying private members and weak keys are refused (`key-hygiene.ts`); a key with an `alg`
 * outside `allowed` is refused; a key without `alg` is pinned to the first of `allowed` that fits it.
 *
 * @example
 * ```ts
 * const imported = importJwk({ kty: 'EC', crv: 'P-256', x, y, kid: 'k1' }, ['ES256']);
 * ```
 */
export function importJwk(jwk: unknown, allowed: readonly SignatureAlgorithm[]): KeyImport {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return fail('key is not a JSON object');
  const fields = jwk as Record<string, unknown>;
  const memberRefusal = jwkRefusal(fields);
  if (memberRefusal) return refused(memberRefusal);
  if (fields.kid !== undefined && typeof fields.kid !== 'string') return fail('kid is not a string');
  let alg: SignatureAlgorithm | undefined;
  if (fields.alg !== undefined) {
    alg = allowed.find((candidate) => candidate === fields.alg);
    if (!alg) return fail('key algorithm is not allowed for this issuer');
  } else {
    alg = pinAlgorithm(
      fields.kty,
      fields.crv,
      allowed.filter((candidate) => !isHmacAlgorithm(candidate)),
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: fields as Parameters<typeof createPublicKey>[0] & object,
      format: 'jwk',
    } as never);
  } catch {
    return fail('key could not be imported');
  }
  const materialRefusal = keyMaterialRefusal(key);
  if (materialRefusal) return refused(materialRefusal);
  return finish(fields.kid as string | undefined, alg, key);
}

/**
 * Imports a PEM public key or certificate (SPKI, PKCS#1 or X.509). Private-key PEMs are refused so that
 * a private key never sits in a resource server's configuration.
 *
 * @example
 * ```ts
 * importPem(readFileSync('issuer.pem', 'utf8'), ['RS256'], 'main');
 * ```
 */
export function importPem(pem: string, allowed: readonly SignatureAlgorithm[], kid?: string): KeyImport {
  if (/PRIVATE KEY-----/.test(pem)) return fail('a private key was given where a public key belongs');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return fail('PEM could not be imported');
  }
  // Before anything reads the key's details: that alone aborts Node for an EC point at infinity.
  const materialRefusal = keyMaterialRefusal(key);
  if (materialRefusal) return refused(materialRefusal);
  const type = key.asymmetricKeyType;
  const kty =
    type === 'rsa' ? 'RSA' : type === 'ec' ? 'EC' : type === 'ed25519' || type === 'ed448' ? 'OKP' : type;
  const crv =
    type === 'ec'
      ? CURVES[key.asymmetricKeyDetails?.namedCurve ?? '']
      : type === 'ed25519'
        ? 'Ed25519'
        : 'Ed448';
  const asymmetric = allowed.filter((candidate) => !isHmacAlgorithm(candidate));
  return finish(kid, pinAlgorithm(kty, crv, asymmetric), key);
}

function isKeyMaterial(bytes: Buffer): boolean {
  if (KEY_TEXT.test(bytes.toString('latin1'))) return true;
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      createPublicKey({ key: bytes, format: 'der', type });
      return true;
    } catch {
      // Not a DER public key: the expected case for a random secret.
    }
  }
  return false;
}

/**
 * Imports an HMAC secret for one HS* algorithm; refuses secrets shorter than the hash (J-5, attack #18)
 * and secrets that are key material, such as the issuer's public key PEM (attack #5).
 *
 * @example
 * ```ts
 * importSecret(crypto.randomBytes(32), 'HS256');
 * ```
 */
export function importSecret(secret: Uint8Array, alg: SignatureAlgorithm, kid?: string): KeyImport {
  if (!isHmacAlgorithm(alg)) return fail(`${alg} is not an HMAC algorithm`);
  // A public key used as an HMAC secret is the HS/RS confusion attack itself (attack #5): anyone holding
  // the public key could mint tokens. Key material is never accepted as a secret.
  if (isKeyMaterial(Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength))) {
    return fail('secret is a key (PEM, DER or JWK); an HMAC secret must be random bytes');
  }
  if (secret.byteLength < minimumSecretBytes(alg)) {
    return fail(`secret must be at least ${minimumSecretBytes(alg)} bytes for ${alg}`);
  }
  return finish(kid, alg, createSecretKey(secret));
}

/** Why a lookup found no key. */
export type KeyMiss = 'unknown-kid' | 'algorithm-mismatch' | 'ambiguous';

/**
 * An immutable set of verification keys of one issuer.
 *
 * @example
 * ```ts
 * const found = new KeySet(keys).find('k1', 'RS256');
 * ```
 */
export class KeySet {
  readonly size: number;
  readonly #byKid = new Map<string, VerificationKey[]>();
  readonly #all: readonly VerificationKey[];

  constructor(keys: readonly VerificationKey[]) {
    this.#all = keys;
    this.size = keys.length;
    for (const key of keys) {
      if (key.kid === undefined) continue;
      const list = this.#byKid.get(key.kid);
      if (list) list.push(key);
      else this.#byKid.set(key.kid, [key]);
    }
  }

  /** Every key of the set, in the order given. */
  list(): readonly VerificationKey[] {
    return this.#all;
  }

  /** True when a key with this `kid` is present, whatever its algorithm. */
  has(kid: string): boolean {
    return this.#byKid.has(kid);
  }

  /**
   * The key for a token header's `kid` and `alg`. Without a `kid`, only a set with exactly one key of that
   * algorithm answers (OIDC Core §10.1, K-4).
   */
  find(kid: string | undefined, alg: SignatureAlgorithm): VerificationKey | KeyMiss {
    const candidates = kid === undefined ? this.#all : this.#byKid.get(kid);
    if (!candidates || candidates.length === 0) return 'unknown-kid';
    // Runs per token: counted in place rather than filtered into a new array (measured in the benchmarks).
    let match: VerificationKey | undefined;
    for (const key of candidates) {
      if (key.alg !== alg) continue;
      if (match) return 'ambiguous';
      match = key;
    }
    return match ?? 'algorithm-mismatch';
  }
}
