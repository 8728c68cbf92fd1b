/**
 * The JWS algorithms nevertrust verifies, each bound to one key type (RFC 7518 §3; RFC 8037), and the
 * signature check itself on `node:crypto`. jose imports and vets keys; the per-request check runs here,
 * synchronously, because jose's WebCrypto path is about four times slower per verification (measured in the benchmarks).
 */
import {
  createHmac,
  constants as cryptoConstants,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';

/** Asymmetric algorithms, in the order used to pin a key that does not name its own `alg`. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'ES256',
  'PS256',
  'EdDSA',
  'Ed25519',
  'RS384',
  'RS512',
  'PS384',
  'PS512',
  'ES384',
  'ES512',
] as const;

/** HMAC algorithms: allowed only with an explicitly configured secret of sufficient length. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

/** A JWS algorithm nevertrust can verify. `none` is not one of them (AT-1, J-2). */
export type SignatureAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number] | (typeof HMAC_ALGORITHMS)[number];

interface AlgorithmSpec {
  readonly keyType: 'rsa' | 'ec' | 'ed25519' | 'okp' | 'hmac';
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  readonly curve?: 'P-256' | 'P-384' | 'P-521';
  readonly pss?: true;
  /** Exact signature length in bytes where the algorithm fixes it (ECDSA raw R‖S, HMAC). */
  readonly signatureBytes?: number;
}

const SPECS: Readonly<Record<SignatureAlgorithm, AlgorithmSpec>> = {
  RS256: { keyType: 'rsa', hash: 'sha256' },
  RS384: { keyType: 'rsa', hash: 'sha384' },
  RS512: { keyType: 'rsa', hash: 'sha512' },
  PS256: { keyType: 'rsa', hash: 'sha256', pss: true },
  PS384: { keyType: 'rsa', hash: 'sha384', pss: true },
  PS512: { keyType: 'rsa', hash: 'sha512', pss: true },
  ES256: { keyType: 'ec', hash: 'sha256', curve: 'P-256', signatureBytes: 64 },
  ES384: { keyType: 'ec', hash: 'sha384', curve: 'P-384', signatureBytes: 96 },
  ES512: { keyType: 'ec', hash: 'sha512', curve: 'P-521', signatureBytes: 132 },
  EdDSA: { keyType: 'okp', hash: null },
  Ed25519: { keyType: 'ed25519', hash: null, signatureBytes: 64 },
  HS256: { keyType: 'hmac', hash: 'sha256', signatureBytes: 32 },
  HS384: { keyType: 'hmac', hash: 'sha384', signatureBytes: 48 },
  HS512: { keyType: 'hmac', hash: 'sha512', signatureBytes: 64 },
};

const ALL_ALGORITHMS = new Set<string>(Object.keys(SPECS));
const NODE_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;
const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

/** True for every algorithm name nevertrust can verify. */
export function isSignatureAlgorithm(name: unknown): name is SignatureAlgorithm {
  return typeof name === 'string' && ALL_ALGORITHMS.has(name);
}

/** True for HS256/HS384/HS512. */
export function isHmacAlgorithm(alg: SignatureAlgorithm): boolean {
  return SPECS[alg].keyType === 'hmac';
}

/** Minimum HMAC secret length for `alg`: the hash size (RFC 7518 §3.2; checklist J-5, attack #18). */
export function minimumSecretBytes(alg: SignatureAlgorithm): number {
  const { hash } = SPECS[alg];
  return hash ? HASH_BYTES[hash] : 0;
}

/**
 * Why `key` may not be used with `alg`, or undefined when it may: the key type, and the exact curve for
 * ECDSA. The strength of the key itself (RSA size, exponent, ROCA; points) is `key-hygiene.ts`'s concern.
 */
export function keyProblem(alg: SignatureAlgorithm, key: KeyObject): string | undefined {
  const spec = SPECS[alg];
  if (spec.keyType === 'hmac') return key.type === 'secret' ? undefined : `${alg} needs a secret key`;
  if (key.type !== 'public') return `${alg} needs a public key`;
  const details = key.asymmetricKeyDetails ?? {};
  switch (spec.keyType) {
    case 'rsa':
      return key.asymmetricKeyType === 'rsa' ? undefined : `${alg} needs an RSA key`;
    case 'ec':
      if (key.asymmetricKeyType !== 'ec') return `${alg} needs an EC key`;
      return details.namedCurve === NODE_CURVE[spec.curve as keyof typeof NODE_CURVE]
        ? undefined
        : `${alg} needs curve ${spec.curve}`;
    case 'ed25519':
      return key.asymmetricKeyType === 'ed25519' ? undefined : `${alg} needs an Ed25519 key`;
    case 'okp':
      return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448'
        ? undefined
        : `${alg} needs an Ed25519 or Ed448 key`;
  }
}

/**
 * The first of `allowed` that fits a key of the given JWK `kty`/`crv`, used to pin a key that does not
 * state its own `alg`, so that one key is only ever used with one algorithm (RFC 8725 §3.1, J-1, attack #7).
 */
export function pinAlgorithm(
  kty: unknown,
  crv: unknown,
  allowed: readonly SignatureAlgorithm[],
): SignatureAlgorithm | undefined {
  return allowed.find((alg) => {
    const spec = SPECS[alg];
    if (kty === 'RSA') return spec.keyType === 'rsa';
    if (kty === 'EC') return spec.keyType === 'ec' && spec.curve === crv;
    if (kty === 'OKP')
      return (
        (spec.keyType === 'okp' && (crv === 'Ed25519' || crv === 'Ed448')) ||
        (spec.keyType === 'ed25519' && crv === 'Ed25519')
      );
    return false;
  });
}

/**
 * Checks a JWS signature. Returns false for any mismatch, wrong length or malformed signature; never throws
 * for attacker-controlled input.
 *
 * @example
 * ```ts
 * verifySignature('RS256', publicKey, Buffer.from(signingInput, 'latin1'), signature);
 * ```
 */
export function verifySignature(
  alg: SignatureAlgorithm,
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  const spec = SPECS[alg];
  if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) return false;
  try {
    if (spec.keyType === 'hmac') {
      const expected = createHmac(spec.hash as string, key)
        .update(data)
        .digest();
      return timingSafeEqual(expected, signature);
    }
    if (spec.keyType === 'ec') return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (spec.pss) {
      const saltLength = HASH_BYTES[spec.hash as keyof typeof HASH_BYTES];
      return verify(
        spec.hash,
        data,
        { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength },
        signature,
      );
    }
    return verify(spec.hash, data, key, signature);
  } catch {
    return false;
  }
}

/**
 * Signs `data` with an asymmetric private key for `alg` — the client assertions nevertrust sends to an
 * authorization server (RFC 7523). The key must fit `alg` ({@link keyProblem} on its public half).
 *
 * @example
 * ```ts
 * const signature = signData('ES256', privateKey, Buffer.from(signingInput, 'latin1'));
 * ```
 */
export function signData(alg: SignatureAlgorithm, key: KeyObject, data: Buffer): Buffer {
  const spec = SPECS[alg];
  if (spec.keyType === 'hmac') throw new TypeError(`${alg} is not an asymmetric algorithm`);
  if (spec.keyType === 'ec') return sign(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' });
  if (spec.pss) {
    const saltLength = HASH_BYTES[spec.hash as keyof typeof HASH_BYTES];
    return sign(spec.hash, data, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength });
  }
  return sign(spec.hash, data, key);
}
