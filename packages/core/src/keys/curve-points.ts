/**
 * Public-key points checked by arithmetic of our own, at import only. OpenSSL refuses most off-curve
 * points, but not all that matters: an SPKI holding the point at infinity imports (and reading its details
 * aborts the process), and an Ed25519 key of small order (the identity, say) imports and then "verifies" a
 * forged signature for every message. A verification key must be a point of large prime order.
 */

/** Short Weierstrass curves y² = x³ − 3x + b over GF(p) (FIPS 186-4 §D.1.2; SEC 2 §2.4). */
const WEIERSTRASS: Readonly<
  Record<string, { readonly p: bigint; readonly b: bigint; readonly bytes: number }>
> = {
  'P-256': {
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    bytes: 32,
  },
  'P-384': {
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    bytes: 48,
  },
  'P-521': {
    p: 2n ** 521n - 1n,
    b: 0x051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    bytes: 66,
  },
};

/** Edwards curves a·x² + y² = 1 + d·x²·y² over GF(p) with their cofactor (RFC 8032 §5.1, §5.2). */
const P25519 = 2n ** 255n - 19n;
const P448 = 2n ** 448n - 2n ** 224n - 1n;
const EDWARDS: Readonly<
  Record<
    string,
    {
      readonly p: bigint;
      readonly a: bigint;
      readonly d: bigint;
      readonly bytes: number;
      readonly doublings: number;
    }
  >
> = {
  // d = −121665 / 121666; cofactor 8.
  Ed25519: {
    p: P25519,
    a: P25519 - 1n,
    d: mod(-121665n * inverse(121666n, P25519), P25519),
    bytes: 32,
    doublings: 3,
  },
  // d = −39081; cofactor 4.
  Ed448: { p: P448, a: 1n, d: P448 - 39081n, bytes: 57, doublings: 2 },
};

function mod(value: bigint, p: bigint): bigint {
  const r = value % p;
  return r < 0n ? r + p : r;
}

function power(base: bigint, exponent: bigint, p: bigint): bigint {
  let result = 1n;
  let b = mod(base, p);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % p;
    b = (b * b) % p;
  }
  return result;
}

function inverse(value: bigint, p: bigint): bigint {
  return power(value, p - 2n, p);
}

/** Big-endian unsigned integer of `bytes`. */
export function bigEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Coordinate length in bytes of a JWK `crv` (RFC 7518 §6.2.1.2, RFC 8037 §2), or undefined if unknown. */
export function coordinateBytes(crv: unknown): number | undefined {
  if (typeof crv !== 'string') return undefined;
  return WEIERSTRASS[crv]?.bytes ?? EDWARDS[crv]?.bytes;
}

/**
 * Why the affine point (x, y) is not a usable public point of `crv`, or undefined when it lies on the curve.
 * The NIST curves have cofactor 1, so every point on the curve other than infinity has the full prime order.
 *
 * @example
 * ```ts
 * weierstrassPointProblem('P-256', x, y); // undefined for a genuine key
 * ```
 */
export function weierstrassPointProblem(crv: string, x: bigint, y: bigint): string | undefined {
  const curve = WEIERSTRASS[crv];
  if (!curve) return `unknown curve ${crv.slice(0, 16)}`;
  const { p, b } = curve;
  if (x >= p || y >= p) return 'EC point coordinate is not reduced modulo the field prime';
  const left = (y * y) % p;
  const right = mod(x * x * x - 3n * x + b, p);
  return left === right ? undefined : 'EC point is not on the curve';
}

/**
 * Why an RFC 8032 encoded Edwards public key is unusable, or undefined when it is a canonical encoding of
 * a curve point outside the small-order torsion subgroup. The check doubles the point as many times as
 * the cofactor's exponent using y alone (x² follows from y by the curve equation): a point of small order
 * ends on the identity, y = 1.
 *
 * @example
 * ```ts
 * edwardsPointProblem('Ed25519', Buffer.from(jwk.x, 'base64url'));
 * ```
 */
export function edwardsPointProblem(crv: string, encoded: Uint8Array): string | undefined {
  const curve = EDWARDS[crv];
  if (!curve) return `unknown curve ${crv.slice(0, 16)}`;
  const { p, a, d, bytes, doublings } = curve;
  if (encoded.length !== bytes) return `${crv} public key is not ${bytes} bytes`;
  const little = Uint8Array.from(encoded).reverse();
  // The top bit is the sign of x; for Ed448 the other seven bits of the last octet must be zero.
  little[0] = (little[0] as number) & (crv === 'Ed448' ? 0x00 : 0x7f);
  if (crv === 'Ed448' && ((encoded[bytes - 1] as number) & 0x7f) !== 0)
    return 'Ed448 key encoding is not canonical';
  let y = bigEndian(little);
  if (y >= p) return `${crv} key encoding is not canonical (y ≥ p)`;
  const xSquared = (value: bigint): bigint =>
    mod((value * value - 1n) * inverse(d * value * value - a, p), p);
  const u = xSquared(y);
  // Euler's criterion: x² must be a square for the encoding to name a point at all.
  if (u !== 0n && power(u, (p - 1n) / 2n, p) !== 1n) return `${crv} key is not a curve point`;
  for (let step = 0; step < doublings; step++) {
    const x2 = xSquared(y);
    const y2 = (y * y) % p;
    // y(2P) = (y² − a·x²) / (2 − a·x² − y²) (RFC 8032 §5.1.4 doubling, affine form).
    y = mod((y2 - a * x2) * inverse(mod(2n - a * x2 - y2, p), p), p);
  }
  return y === 1n ? `${crv} key is a point of small order` : undefined;
}
