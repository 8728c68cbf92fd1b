/**
 * DPoP proofs (RFC 9449 §4.2) built byte by byte with the test kit's signer, so tests can produce valid
 * proofs and every malformed one of the checklist (D-1…D-13). The key's thumbprint comes from jose, the
 * independent oracle for the core's own RFC 7638 code.
 */
import { createHash, type KeyObject, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { TestKey } from './keys.js';
import { signToken } from './tokens.js';

/** What one proof says and how it is signed; `undefined` in `header` or `claims` removes a member. */
export interface DpopProofOptions {
  /** The key whose public JWK goes in the header and which signs the proof. */
  readonly key: TestKey;
  readonly htm: string;
  readonly htu: string;
  /** The access token the proof is for (`ath`). */
  readonly accessToken?: string;
  readonly nonce?: string;
  /** Seconds since the epoch; default now. */
  readonly iat?: number;
  readonly jti?: string;
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  /** Sign with another key than the one in the header. */
  readonly signWith?: KeyObject;
}

/** The bare public JWK of a key (required members only), as a DPoP client puts it in a proof. */
export function publicJwk(key: TestKey): Record<string, unknown> {
  // From the JWK exported once when the key was made, not a new export per proof (see keys.ts).
  const { kid: _kid, alg: _alg, use: _use, ...members } = key.jwk;
  return members;
}

/** RFC 7638 thumbprint of a key's public JWK, computed by jose: the `cnf.jkt` of tokens bound to it. */
export function dpopThumbprint(key: TestKey): Promise<string> {
  return calculateJwkThumbprint(publicJwk(key) as JWK, 'sha256');
}

/** base64url(SHA-256(token)): the `ath` of a proof for `token`. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/**
 * Signs a DPoP proof.
 *
 * @example
 * ```ts
 * const proof = createDpopProof({ key, htm: 'GET', htu: 'https://api.test/orders', accessToken: token });
 * ```
 */
export function createDpopProof(options: DpopProofOptions): string {
  const header = defined({
    typ: 'dpop+jwt',
    alg: options.key.alg,
    jwk: publicJwk(options.key),
    ...options.header,
  });
  const payload = defined({
    jti: options.jti ?? randomUUID(),
    htm: options.htm,
    htu: options.htu,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ath: options.accessToken === undefined ? undefined : accessTokenHash(options.accessToken),
    nonce: options.nonce,
    ...options.claims,
  });
  return signToken({ header, payload }, options.signWith ?? options.key.privateKey, header.alg as string);
}
