/**
 * Building JWTs byte by byte, so tests can produce exactly the malformed, mistyped or malicious tokens of the
 * attack catalogue as well as valid ones.
 */
import { constants, createHmac, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { TestKey } from './keys.js';

/** base64url of a string or bytes. */
export function b64url(input: string | Uint8Array): string {
  return Buffer.from(input).toString('base64url');
}

/** Signs `signingInput` the way a JWS with `alg` would. */
export function signRaw(alg: string, key: KeyObject | Uint8Array, signingInput: string): Buffer {
  const data = Buffer.from(signingInput);
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('HS'))
    return createHmac(hash, key as Uint8Array)
      .update(data)
      .digest();
  if (alg.startsWith('RS')) return sign(hash, data, key as KeyObject);
  if (alg.startsWith('PS')) {
    return sign(hash, data, {
      key: key as KeyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(alg.slice(2)) / 8,
    });
  }
  if (alg.startsWith('ES')) return sign(hash, data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  if (alg === 'EdDSA' || alg === 'Ed25519') return sign(null, data, key as KeyObject);
  throw new Error(`testkit cannot sign ${alg}`);
}

/** Parts of a token to build; strings are used verbatim as JSON text (to test duplicate names and the like). */
export interface TokenParts {
  readonly header: Record<string, unknown> | string;
  readonly payload: Record<string, unknown> | string;
}

/**
 * Encodes and signs a JWT from explicit parts.
 *
 * @example
 * ```ts
 * const token = signToken({ header: { alg: 'ES256', typ: 'at+jwt', kid: key.kid }, payload: claims }, key.privateKey);
 * ```
 */
export function signToken(parts: TokenParts, key: KeyObject | Uint8Array, alg?: string): string {
  const headerText = typeof parts.header === 'string' ? parts.header : JSON.stringify(parts.header);
  const payloadText = typeof parts.payload === 'string' ? parts.payload : JSON.stringify(parts.payload);
  const signingInput = `${b64url(headerText)}.${b64url(payloadText)}`;
  const algorithm =
    alg ?? (typeof parts.header === 'string' ? JSON.parse(parts.header).alg : parts.header.alg);
  return `${signingInput}.${b64url(signRaw(algorithm, key, signingInput))}`;
}

/** Settings shared by every token an issuer in a test mints. */
export interface TokenIssuerSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly key: TestKey;
  /** Seconds since the epoch; defaults to the real clock. */
  readonly now?: () => number;
}

/** Options of one minted token. */
export interface MintOptions {
  /** Claims to add or override; `undefined` removes a default claim. */
  readonly claims?: Record<string, unknown>;
  /** Header parameters to add or override; `undefined` removes one. */
  readonly header?: Record<string, unknown>;
  /** Sign with another key than the issuer's. */
  readonly signWith?: KeyObject | Uint8Array;
  /** Lifetime in seconds (default 300). */
  readonly lifetime?: number;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/**
 * Mints RFC 9068 access tokens for one test issuer.
 *
 * @example
 * ```ts
 * const mint = createTokenIssuer({ issuer: 'https://idp.test/', audience: 'api', key });
 * const token = mint({ claims: { scope: 'orders:read' } });
 * ```
 */
export function createTokenIssuer(settings: TokenIssuerSettings): (options?: MintOptions) => string {
  return (options = {}) => {
    const now = Math.floor(settings.now?.() ?? Date.now() / 1000);
    const header = withoutUndefined({
      alg: settings.key.alg,
      typ: 'at+jwt',
      kid: settings.key.kid,
      ...options.header,
    });
    const payload = withoutUndefined({
      iss: settings.issuer,
      sub: 'user-1',
      aud: settings.audience,
      client_id: 'client-1',
      iat: now,
      exp: now + (options.lifetime ?? 300),
      jti: randomUUID(),
      ...options.claims,
    });
    return signToken({ header, payload }, options.signWith ?? settings.key.privateKey, header.alg as string);
  };
}
