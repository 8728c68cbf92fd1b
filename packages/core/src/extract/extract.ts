/**
 * Credential extraction (RFC 6750 §2; checklist B-1…B-6, attack #31/#32). The only place that reads a
 * token out of a request, so that no two code paths can drift apart (design anti-pattern 1).
 */
import type { ErrorCode } from '../model/errors.js';
import { headerValues, type RequestFacts } from '../model/facts.js';
import { type DpopToken, dpopCredential, isDpopScheme } from './dpop-credentials.js';

/** Where tokens may come from and how large they may be. */
export interface ExtractionSettings {
  /**
   * Accept `?access_token=` on GET and HEAD (RFC 6750 §2.3). Off by default: RFC 9700 §4.3.2 forbids it
   * for clients.
   */
  readonly allowQueryToken: boolean;
  /** Longest accepted token, in bytes; longer ones are refused before any decoding (attack #23). */
  readonly maxTokenBytes: number;
  /** Accept the DPoP scheme with its proof (RFC 9449 §7.1); otherwise it is not a credential here. */
  readonly dpop?: boolean;
}

/** Outcome of looking for a credential. */
export type Extraction =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'token';
      readonly token: string;
      readonly location: 'header' | 'query';
      readonly scheme: 'bearer';
    }
  | DpopToken
  | {
      readonly kind: 'error';
      readonly code: ErrorCode;
      readonly detail: string;
      /** The scheme whose challenge carries the error, when the failure belongs to one. */
      readonly scheme?: 'dpop';
    };

const NONE: Extraction = { kind: 'none' };
// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. The scheme is matched apart (case-insensitively,
// below); the token is matched in place from its first character (sticky), so a request allocates no match
// array for the token (measured in the benchmarks).
const B64TOKEN_TO_END = /[A-Za-z0-9\-._~+/]+=*$/y;
const SCHEME_LENGTH = 'Bearer'.length;
const SP = 0x20;
// Cheap pre-check before parsing the query; it also catches percent-encoded names (`access%5Ftoken`,
// `access_token%5B%5D`), which URLSearchParams and qs decode into the very names the checks below refuse.
const QUERY_PARAMETER = /access(?:_|%5f)token/i;
// RFC 9700 §4.3.2 / checklist A1.1 default recommendation: a URL token is never accepted for a
// state-changing request, where it would also end up in logs next to the change it authorised.
const QUERY_TOKEN_METHODS = new Set(['GET', 'HEAD']);

function failure(code: ErrorCode, detail: string): Extraction {
  return { kind: 'error', code, detail };
}

function fromHeader(facts: RequestFacts, settings: ExtractionSettings): Extraction {
  const values = headerValues(facts, 'authorization');
  if (values.length === 0) return NONE;
  if (values.length > 1) return failure('ERR_MULTIPLE_CREDENTIALS', 'more than one Authorization header');
  const value = values[0] as string;
  if (!/^bearer(?:\s|$)/i.test(value)) {
    if (settings.dpop && isDpopScheme(value)) return dpopCredential(facts, value, settings.maxTokenBytes);
    // Another scheme (Basic, Negotiate, …) is not a credential here: it is neither used nor an error.
    return NONE;
  }
  // Cap before matching: a token larger than the cap is refused whatever it contains.
  if (value.length > settings.maxTokenBytes + 16)
    return failure('ERR_TOKEN_TOO_LARGE', 'header over size cap');
  let start = SCHEME_LENGTH;
  while (value.charCodeAt(start) === SP) start++;
  B64TOKEN_TO_END.lastIndex = start;
  if (start === SCHEME_LENGTH || !B64TOKEN_TO_END.test(value)) {
    return failure('ERR_MALFORMED_CREDENTIALS', 'Authorization header is not "Bearer <b64token>"');
  }
  const token = value.slice(start);
  if (token.length > settings.maxTokenBytes) return failure('ERR_TOKEN_TOO_LARGE', 'token over size cap');
  // D-17: a proof next to a Bearer token; a bound token must not slip through as a bearer one.
  if (settings.dpop && (facts.headers.dpop?.length ?? 0) > 0) {
    return failure('ERR_DPOP_WITH_BEARER', 'DPoP header with the Bearer scheme (D-17)');
  }
  return { kind: 'token', token, location: 'header', scheme: 'bearer' };
}

function fromQuery(facts: RequestFacts, settings: ExtractionSettings): Extraction {
  const start = facts.target.indexOf('?');
  if (start === -1 || !QUERY_TOKEN_METHODS.has(facts.method)) return NONE;
  const query = facts.target.slice(start + 1);
  if (!QUERY_PARAMETER.test(query)) return NONE;
  const params = new URLSearchParams(query);
  const names = [...params.keys()];
  // `access_token[]=…` would become an array or object in qs-style parsers: refuse it outright (B-6).
  if (names.some((name) => name.startsWith('access_token['))) {
    return failure('ERR_MALFORMED_CREDENTIALS', 'access_token query parameter is not a single string');
  }
  const values = params.getAll('access_token');
  if (values.length === 0) return NONE;
  if (values.length > 1) return failure('ERR_MULTIPLE_CREDENTIALS', 'access_token given more than once');
  const token = values[0] as string;
  if (token.length > settings.maxTokenBytes) return failure('ERR_TOKEN_TOO_LARGE', 'token over size cap');
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
    return failure('ERR_MALFORMED_CREDENTIALS', 'access_token query parameter is not a b64token');
  }
  return { kind: 'token', token, location: 'query', scheme: 'bearer' };
}

/**
 * Finds the one access token of a request, or says why there is none.
 *
 * @example
 * ```ts
 * extractCredential(facts, { allowQueryToken: false, maxTokenBytes: 8192 });
 * // { kind: 'token', token: 'eyJ…', location: 'header' }
 * ```
 */
export function extractCredential(facts: RequestFacts, settings: ExtractionSettings): Extraction {
  const header = fromHeader(facts, settings);
  if (!settings.allowQueryToken || header.kind === 'error') return header;
  const query = fromQuery(facts, settings);
  if (query.kind === 'error') return query;
  // RFC 6750 §2 / §3.1: more than one method in one request is invalid_request (B-1).
  if (header.kind === 'token' && query.kind === 'token') {
    return failure('ERR_MULTIPLE_CREDENTIALS', 'token in both the Authorization header and the query');
  }
  return header.kind === 'token' ? header : query;
}
