/**
 * Strict decoding of a compact JWS (RFC 7515 §7.1) before any cryptography: exactly three non-empty
 * base64url segments, canonical encoding, UTF-8 JSON objects (checklist J-3, J-6, J-14; attacks #3, #23,
 * #33, #34, #38). jose is lenient about whitespace and non-canonical base64url, so this check comes first.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import type { ErrorCode } from './errors.js';
import { type JsonObject, parseStrictJsonObject } from './strict-json.js';

/** A structurally valid, not yet verified, compact JWS. */
export interface CompactJws {
  readonly header: JsonObject;
  readonly payload: JsonObject;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Result of {@link parseCompactJws}. */
export type CompactJwsResult =
  | { readonly ok: true; readonly jws: CompactJws }
  | { readonly ok: false; readonly code: ErrorCode; readonly detail: string };

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** True when `segment` is the one canonical base64url (no padding) encoding of its bytes. */
export function isCanonicalBase64Url(segment: string): boolean {
  if (!SEGMENT.test(segment)) return false;
  const remainder = segment.length % 4;
  if (remainder === 1) return false;
  if (remainder === 0) return true;
  // The last character carries 4 (remainder 2) or 2 (remainder 3) unused bits, which must be zero.
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (last & (remainder === 2 ? 0x0f : 0x03)) === 0;
}

function decodeJson(
  segment: string,
  what: string,
): { ok: true; value: JsonObject } | { ok: false; detail: string } {
  const bytes = Buffer.from(segment, 'base64url');
  if (!isUtf8(bytes)) return { ok: false, detail: `${what} is not UTF-8` };
  const parsed = parseStrictJsonObject(bytes.toString('utf8'));
  return parsed.ok ? parsed : { ok: false, detail: `${what}: ${parsed.reason}` };
}

// An issuer signs every token with the same few headers ({alg, kid, typ}): the decoded, checked header
// of a segment seen before is reused. Bounded in count and size, so varied headers cannot grow it.
const HEADER_CACHE_ENTRIES = 64;
const HEADER_CACHE_SEGMENT = 512;
const headers = new Map<string, JsonObject>();

function decodeHeader(segment: string): ReturnType<typeof decodeJson> {
  const known = headers.get(segment);
  if (known) return { ok: true, value: known };
  const decoded = decodeJson(segment, 'header');
  if (decoded.ok && segment.length <= HEADER_CACHE_SEGMENT) {
    if (headers.size >= HEADER_CACHE_ENTRIES) headers.clear();
    headers.set(segment, Object.freeze(decoded.value));
  }
  return decoded;
}

function malformed(detail: string): CompactJwsResult {
  return { ok: false, code: 'ERR_TOKEN_MALFORMED', detail };
}

/**
 * Splits and decodes a compact JWS without trusting anything in it.
 *
 * @example
 * ```ts
 * const parsed = parseCompactJws(token);
 * if (parsed.ok) console.log(parsed.jws.header.alg);
 * ```
 */
export function parseCompactJws(token: string): CompactJwsResult {
  const segments = token.split('.');
  if (segments.length === 5) {
    return { ok: false, code: 'ERR_TOKEN_UNSUPPORTED_FORMAT', detail: 'JWE (five segments) is not accepted' };
  }
  if (segments.length !== 3) return malformed(`expected 3 segments, got ${segments.length}`);
  const [headerPart, payloadPart, signaturePart] = segments as [string, string, string];
  if (!isCanonicalBase64Url(headerPart) || !isCanonicalBase64Url(payloadPart)) {
    return malformed('header or payload is not canonical base64url');
  }
  if (!isCanonicalBase64Url(signaturePart))
    return malformed('signature is missing or not canonical base64url');
  const header = decodeHeader(headerPart);
  if (!header.ok) return malformed(header.detail);
  const payload = decodeJson(payloadPart, 'payload');
  if (!payload.ok) return malformed(payload.detail);
  return {
    ok: true,
    jws: {
      header: header.value,
      payload: payload.value,
      signingInput: token.slice(0, headerPart.length + 1 + payloadPart.length),
      signature: Buffer.from(signaturePart, 'base64url'),
    },
  };
}
