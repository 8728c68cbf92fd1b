/**
 * Stateless DPoP server nonces (RFC 9449 §8, §9; checklist D-10). A nonce is a time bucket, random bytes
 * and an HMAC over both under the first configured secret: unpredictable (§8), checked without any shared
 * state by every instance that holds the secret, and rotated by time. A nonce of bucket `b` is accepted
 * while the current bucket is `b` or `b + 1`; buckets last half the lifetime, so no nonce is ever accepted
 * later than `lifetimeSeconds` after it was issued. Secrets rotate by listing the new one first: nonces
 * under the old one stay valid until it is removed.
 */
import { Buffer } from 'node:buffer';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Verdict on the nonce of a proof. */
export type NonceVerdict =
  /** Issued in the current bucket. */
  | 'current'
  /** Issued in the previous bucket: still accepted, but a fresh one should be handed out. */
  | 'expiring'
  /** Missing, forged, from an unknown secret, or older than its lifetime. */
  | 'invalid';

/** Issues and checks nonces. */
export interface NonceAuthority {
  issue(nowSeconds: number): string;
  check(nonce: string | undefined, nowSeconds: number): NonceVerdict;
}

const VERSION = 1;
const BUCKET_BYTES = 4;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const MESSAGE_BYTES = 1 + BUCKET_BYTES + RANDOM_BYTES;
const NONCE_BYTES = MESSAGE_BYTES + MAC_BYTES;
// Keeps MACs of this purpose apart from any other use of the same secret.
const CONTEXT = Buffer.from('nevertrust DPoP-Nonce\0', 'latin1');

function mac(secret: Uint8Array, message: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(CONTEXT).update(message).digest().subarray(0, MAC_BYTES);
}

/**
 * Creates the nonce authority of a guard. `secrets` are at least 32 bytes each (checked with the
 * options); `lifetimeSeconds` is at least 2.
 *
 * @example
 * ```ts
 * const nonces = createNonceAuthority([secret], 300);
 * nonces.check(nonces.issue(now), now); // 'current'
 * ```
 */
export function createNonceAuthority(
  secrets: readonly Uint8Array[],
  lifetimeSeconds: number,
): NonceAuthority {
  const period = lifetimeSeconds / 2;
  const [signing] = secrets;
  if (!signing) throw new RangeError('at least one nonce secret is needed');
  const bucketOf = (nowSeconds: number) => Math.floor(nowSeconds / period) >>> 0;

  return {
    issue(nowSeconds) {
      const message = Buffer.alloc(MESSAGE_BYTES);
      message[0] = VERSION;
      message.writeUInt32BE(bucketOf(nowSeconds), 1);
      randomBytes(RANDOM_BYTES).copy(message, 1 + BUCKET_BYTES);
      // base64url is within NQCHAR (RFC 9449 §8.1).
      return Buffer.concat([message, mac(signing, message)]).toString('base64url');
    },
    check(nonce, nowSeconds) {
      if (nonce === undefined || nonce.length !== Math.ceil((NONCE_BYTES * 4) / 3)) return 'invalid';
      const bytes = Buffer.from(nonce, 'base64url');
      // Only the canonical encoding: no two strings are the same nonce.
      if (bytes[0] !== VERSION || bytes.toString('base64url') !== nonce) return 'invalid';
      const message = bytes.subarray(0, MESSAGE_BYTES);
      const tag = bytes.subarray(MESSAGE_BYTES);
      if (!secrets.some((secret) => timingSafeEqual(mac(secret, message), tag))) return 'invalid';
      const age = bucketOf(nowSeconds) - bytes.readUInt32BE(1);
      if (age === 0) return 'current';
      return age === 1 ? 'expiring' : 'invalid';
    },
  };
}
