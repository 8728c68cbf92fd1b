/**
 * The bind step: after the token was verified (or found in the verified-token cache), the request must
 * prove possession of whatever the token is bound to, on every request — a cached verification never
 * stands in for it. RFC 9449 §7.1/§7.2 (D-13…D-16, attack #40): a DPoP-bound token needs the `DPoP`
 * scheme with a proof of its key, the `DPoP` scheme needs a DPoP-bound token, and a bound token presented
 * as a Bearer token is refused. RFC 8705 §3 (M-2): a certificate-bound token needs the TLS client
 * certificate it names.
 */
import type { RequestFacts } from '../model/facts.js';
import type { SenderBinding } from '../model/principal.js';
import type { CertificateCheck } from './client-certificate.js';
import type { DpopCheck, DpopRequest } from './dpop-check.js';

/** How the request presented its token. */
export type Presentation =
  | { readonly scheme: 'bearer' }
  | { readonly scheme: 'dpop'; readonly proof: string };

/** A refusal of the bind step; the challenge of `scheme` carries the error. */
export interface BindRefusal {
  readonly ok: false;
  readonly code:
    | 'ERR_TOKEN_BOUND'
    | 'ERR_CERTIFICATE_MISMATCH'
    | 'ERR_DPOP_TOKEN_NOT_BOUND'
    | 'ERR_DPOP_PROOF_INVALID'
    | 'ERR_DPOP_PROOF_REPLAYED'
    | 'ERR_DPOP_NONCE_REQUIRED'
    | 'ERR_DPOP_BINDING_MISMATCH'
    | 'ERR_DPOP_REPLAY_UNAVAILABLE';
  readonly detail: string;
  readonly scheme: 'bearer' | 'dpop';
  /** Response headers of the refusal (a fresh `DPoP-Nonce`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly retryAfterSeconds?: number;
}

/** The request proved possession; `headers` go on the response (a fresh `DPoP-Nonce`, RFC 9449 §8.2). */
export interface BindSuccess {
  readonly ok: true;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Result of the bind step. */
export type BindResult = BindSuccess | BindRefusal;

/** Checks one request's presentation against its token's binding. */
export type Bind = (
  presentation: Presentation,
  binding: SenderBinding,
  request: DpopRequest,
  facts: RequestFacts,
) => BindResult | Promise<BindResult>;

const BOUND_AS_BEARER = 'it cannot be used as a Bearer token (RFC 9449 §7.2, RFC 8705 §3)';
const PASSED: BindSuccess = Object.freeze({ ok: true });

/**
 * Creates the bind step; `dpop` is undefined when the guard does not accept DPoP, `certificates` when it
 * does not accept certificate-bound tokens (no `mtls` option).
 *
 * @example
 * ```ts
 * const bind = createBinder(dpopCheck, createCertificateCheck(validated.mtls));
 * const result = bind({ scheme: 'bearer' }, token.principal.binding, request, facts);
 * ```
 */
export function createBinder(dpop: DpopCheck | undefined, certificates: CertificateCheck | undefined): Bind {
  return function bind(presentation, binding, request, facts) {
    if (presentation.scheme === 'bearer') {
      if (binding.type === 'none') return PASSED;
      if (binding.type === 'dpop') {
        return refuse('ERR_TOKEN_BOUND', `token is DPoP-bound; ${BOUND_AS_BEARER}`, 'bearer');
      }
      // RFC 8705 §3: a certificate-bound token travels as a Bearer token over the connection (or through
      // the trusted proxy) presenting its certificate, checked on every request, cache hit or not (M-2).
      if (!certificates) {
        return refuse('ERR_TOKEN_BOUND', 'token is certificate-bound and no mtls option is set', 'bearer');
      }
      const problem = certificates(binding.certificateThumbprint, facts);
      return problem ? refuse('ERR_CERTIFICATE_MISMATCH', problem, 'bearer') : PASSED;
    }
    // D-16: a proof over a token bound to no key (or to a certificate) proves nothing.
    if (binding.type !== 'dpop' || !dpop) {
      return refuse('ERR_DPOP_TOKEN_NOT_BOUND', 'DPoP scheme with a token that has no cnf.jkt', 'dpop');
    }
    return dpop(presentation.proof, binding.jkt, request);
  };
}

function refuse(code: BindRefusal['code'], detail: string, scheme: BindRefusal['scheme']): BindRefusal {
  return { ok: false, code, detail, scheme };
}
