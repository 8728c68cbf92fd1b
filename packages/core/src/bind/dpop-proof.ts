/**
 * Verification of one DPoP proof (RFC 9449 §4.3, checklist D-2…D-9, D-11, D-12; attack #40), on
 * `node:crypto`: strict compact-JWS syntax, `typ: dpop+jwt`, an asymmetric algorithm from the allow-list,
 * a public-only `jwk` that is the one place the key comes from, the signature, the claims, `htm`, `htu`,
 * the `iat` window and `ath`. Binding (`cnf.jkt`), nonces and replay are the bind step's concern.
 */
import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { importJwk } from '../keys/keys.js';
import { LruMap } from '../model/lru-map.js';
import type { JsonObject } from '../model/strict-json.js';
import { type SignatureAlgorithm, verifySignature } from '../token/algorithms.js';
import { decodeJson, isCanonicalBase64Url } from '../token/compact-jws.js';
import { jwkThumbprint } from './jwk-thumbprint.js';
import { normaliseHttpUri } from './request-uri.js';

/** How proofs are judged. */
export interface ProofSettings {
  /** Accepted proof algorithms (asymmetric only, D-5). */
  readonly algorithms: ReadonlySet<SignatureAlgorithm>;
  /** Oldest accepted `iat`, in seconds before now (RFC 9449 §11.1: seconds or minutes). */
  readonly maxAgeSeconds: number;
  /** Newest accepted `iat`, in seconds after now (clock skew, §11.1 allows slightly future proofs). */
  readonly futureSkewSeconds: number;
}

/** What the proof must match of the request. */
export interface ProofRequest {
  readonly method: string;
  /** The normalised URIs the request may be addressed as (`request-uri.ts`). */
  readonly uris: readonly string[];
  /** base64url(SHA-256(access token)): the expected `ath` (D-12). */
  readonly tokenHash: string;
  readonly nowSeconds: number;
}

/** A proof that passed every check of this file. */
export interface VerifiedProof {
  /** RFC 7638 thumbprint of the proof key. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  readonly nonce: string | undefined;
}

/** Result of a proof check. */
export type ProofResult =
  | { readonly ok: true; readonly proof: VerifiedProof }
  | { readonly ok: false; readonly detail: string };

/** Verifies proofs; each verifier keeps its own cache of checked proof headers. */
export type ProofVerifier = (proof: string, request: ProofRequest) => ProofResult;

/** A proof header that passed its checks: the key it names, ready to verify. */
interface ProofKey {
  readonly alg: SignatureAlgorithm;
  readonly key: KeyObject;
  readonly jkt: string;
}

// RFC 9449 §11.1: an unnecessarily large `jti` is refused, so a replay entry stays small.
const MAX_JTI_LENGTH = 256;
// A client signs every proof with the same header ({typ, alg, jwk}): a header checked before is reused.
// Keyed by the exact segment, so a cached entry is exactly the decision a fresh check would make.
const HEADER_CACHE_ENTRIES = 1024;
// RFC 7515 §7.2.1 names `application/dpop+jwt`; the short form without `application/` is the usual one.
const PROOF_TYPES = new Set(['dpop+jwt', 'application/dpop+jwt']);

function invalid(detail: string): ProofResult {
  return { ok: false, detail };
}

function headerKey(header: JsonObject, algorithms: ReadonlySet<SignatureAlgorithm>): ProofKey | string {
  const { typ, alg, jwk } = header;
  if (typeof typ !== 'string' || !PROOF_TYPES.has(typ.toLowerCase())) return 'typ is not dpop+jwt (D-4)';
  if (typeof alg !== 'string' || !algorithms.has(alg as SignatureAlgorithm)) {
    return 'alg is not an allowed asymmetric algorithm (D-5)';
  }
  if ('crit' in header) return 'crit names extensions that are not supported';
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'jwk header is missing (D-6)';
  // importJwk refuses private and symmetric members (D-7), weak keys, and a key of another type than alg.
  const imported = importJwk(jwk, [alg as SignatureAlgorithm]);
  if (!imported.ok) return `jwk is not a usable public key: ${imported.reason} (D-7)`;
  const jkt = jwkThumbprint(jwk as JsonObject);
  if (jkt === undefined) return 'jwk has no RFC 7638 thumbprint';
  return { alg: imported.key.alg, key: imported.key.key, jkt };
}

function claimsProblem(payload: JsonObject): string | undefined {
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    return `jti is missing or not a string of 1-${MAX_JTI_LENGTH} characters (D-3)`;
  }
  if (typeof htm !== 'string') return 'htm is missing (D-3)';
  if (typeof htu !== 'string') return 'htu is missing (D-3)';
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return 'iat is missing or not a number (D-3)';
  if (typeof ath !== 'string') return 'ath is missing (D-3)';
  if (nonce !== undefined && typeof nonce !== 'string') return 'nonce is not a string';
  return undefined;
}

/**
 * Creates a proof verifier.
 *
 * @example
 * ```ts
 * const verify = createProofVerifier({ algorithms: new Set(['ES256']), maxAgeSeconds: 300, futureSkewSeconds: 5 });
 * const result = verify(proof, { method: 'GET', uris: ['https://api.example.com/orders'], tokenHash, nowSeconds });
 * ```
 */
export function createProofVerifier(settings: ProofSettings): ProofVerifier {
  const { algorithms, maxAgeSeconds, futureSkewSeconds } = settings;
  const keys = new LruMap<string, ProofKey>(HEADER_CACHE_ENTRIES);

  function keyOf(segment: string): ProofKey | string {
    const known = keys.get(segment);
    if (known) return known;
    const header = decodeJson(segment, 'header');
    if (!header.ok) return `${header.detail} (D-2)`;
    const found = headerKey(header.value, algorithms);
    if (typeof found !== 'string') keys.set(segment, found);
    return found;
  }

  return function verifyProof(proof, request) {
    const parts = proof.split('.');
    if (parts.length !== 3 || !parts.every(isCanonicalBase64Url)) {
      return invalid('not a compact JWS of three canonical base64url segments (D-2)');
    }
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const key = keyOf(headerPart);
    if (typeof key === 'string') return invalid(key);
    const signingInput = Buffer.from(`${headerPart}.${payloadPart}`, 'latin1');
    if (!verifySignature(key.alg, key.key, signingInput, Buffer.from(signaturePart, 'base64url'))) {
      return invalid('signature does not verify with the jwk of the proof (D-6)');
    }
    const decoded = decodeJson(payloadPart, 'payload');
    if (!decoded.ok) return invalid(`${decoded.detail} (D-2)`);
    const payload = decoded.value;
    const problem = claimsProblem(payload);
    if (problem) return invalid(problem);
    // RFC 9110 §9.1: methods are case-sensitive.
    if (payload.htm !== request.method) return invalid('htm is not the request method (D-8)');
    const htu = normaliseHttpUri(payload.htu as string);
    if (htu === undefined || !request.uris.includes(htu)) return invalid('htu is not the request URI (D-9)');
    const iat = payload.iat as number;
    if (iat < request.nowSeconds - maxAgeSeconds) return invalid('iat is too old (D-11)');
    if (iat > request.nowSeconds + futureSkewSeconds) return invalid('iat is in the future (D-11)');
    if (payload.ath !== request.tokenHash) return invalid('ath is not the hash of the access token (D-12)');
    const nonce = payload.nonce as string | undefined;
    return { ok: true, proof: { jkt: key.jkt, jti: payload.jti as string, iat, nonce } };
  };
}
