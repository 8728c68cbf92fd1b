/**
 * Sender-constrained tokens: a stolen token must be useless to the thief. dpop-service holds a token bound
 * to its DPoP key (RFC 9449) and proves possession of the key on every request with a fresh proof naming
 * the method, the URI and the token; the API hands out a server nonce first (§9). mtls-service holds a
 * token bound to its client certificate (RFC 8705), checked against the certificate of the TLS connection.
 * Every token comes from the provider; the thief's attempts are what a copy of token and proof allows.
 */
import type { TourContext } from '../tour-context.js';
import {
  challengeHas,
  type StepCheck,
  type TourRequest,
  type TourResponse,
  type TourStep,
} from '../tour-step.js';

/** The route of these steps: `GET /me` answers how the token was bound. */
const PATH = '/me';

const DPOP_TOKEN = 'service token of dpop-service, bound to its DPoP key (cnf.jkt)';
const CERTIFICATE_TOKEN = "service token of mtls-service, bound to service-a's certificate (cnf x5t#S256)";

/** A request of dpop-service with a fresh proof for `method` and `path` (the API's nonce in it, if any). */
async function withProof(
  context: TourContext,
  proofNote: string,
  proofFor: { method?: string; path?: string } = {},
): Promise<TourRequest> {
  const { key, accessToken, nonce } = await context.dpopClient();
  const htu = `${context.api.url}${proofFor.path ?? PATH}`;
  const proof = await key.proof(proofFor.method ?? 'GET', htu, {
    accessToken,
    ...(nonce !== undefined ? { nonce } : {}),
  });
  return dpopRequest(accessToken, proof, proofNote);
}

/** `GET /me` with dpop-service's token under the DPoP scheme and `proof` in the `DPoP` header. */
function dpopRequest(accessToken: string, proof: string, proofNote: string): TourRequest {
  return {
    method: 'GET',
    path: PATH,
    token: accessToken,
    tokenNote: DPOP_TOKEN,
    dpopProof: proof,
    proofNote,
  };
}

/**
 * mtls-service's certificate-bound token, sent over TLS presenting the certificate of `workload`: service-a's
 * is the one the token is bound to, service-b's another of the same CA.
 */
async function withCertificate(
  context: TourContext,
  workload: 'service-a' | 'service-b',
): Promise<TourRequest> {
  const { tls } = context;
  const certificate =
    workload === 'service-a'
      ? { cert: tls.clientCert, key: tls.clientKey }
      : { cert: tls.otherClientCert, key: tls.otherClientKey };
  return {
    method: 'GET',
    path: PATH,
    token: await context.certificateBoundToken(),
    tokenNote: CERTIFICATE_TOKEN,
    overTls: {
      certificate,
      note: `HTTPS to the API's TLS port, presenting ${workload}'s client certificate`,
    },
  };
}

/** The API's handler saw the token bound as `type` (`GET /me` answers `binding`). */
function boundAs(response: TourResponse, type: string): StepCheck {
  let binding: unknown;
  try {
    binding = (JSON.parse(response.body) as Record<string, unknown>).binding;
  } catch {
    return { failure: 'the response is not JSON' };
  }
  return binding === type
    ? { notes: [`the handler sees principal.binding.type = "${type}"`] }
    : { failure: `the handler saw binding ${JSON.stringify(binding)}, not "${type}"` };
}

/** The audit event's detail names the failed check (never sent to the client). */
function detailSays(response: TourResponse, words: string): StepCheck {
  const detail = response.event?.detail;
  return detail?.includes(words)
    ? { notes: [`audit detail: ${detail}`] }
    : { failure: `the audit detail ${JSON.stringify(detail)} does not say "${words}"` };
}

// The proof of the allowed request, replayed by a later step; kept per run, as every tour has its own.
const allowedProofs = new WeakMap<TourContext, string>();

/** DPoP-bound and certificate-bound tokens, and what a thief holding a copy gets. */
export const SENDER_STEPS: readonly TourStep[] = [
  {
    title: 'A DPoP-bound token, first call',
    why: 'dpop-service got a token bound to its key; its first proof carries no nonce of the API, which asks for one (RFC 9449 §9).',
    request: (context) => withProof(context, 'fresh proof for GET /me signed with the key, no nonce yet'),
    check: async (response, context) => {
      if (response.dpopNonce === undefined) return { failure: 'no DPoP-Nonce header in the answer' };
      (await context.dpopClient()).nonce = response.dpopNonce;
      const asked = challengeHas(response, 'error', 'use_dpop_nonce');
      return asked.failure ? asked : { notes: [...(asked.notes ?? []), 'the API sent a DPoP-Nonce'] };
    },
    expect: { status: 401, reason: 'ERR_DPOP_NONCE_REQUIRED' },
  },
  {
    title: 'The DPoP-bound call, with the nonce',
    why: 'A fresh proof with the nonce, for this method and URI and this token, signed by the key the token names.',
    request: async (context) => {
      const request = await withProof(context, "fresh proof for GET /me with the API's nonce");
      allowedProofs.set(context, request.dpopProof as string);
      return request;
    },
    check: async (response) => boundAs(response, 'dpop'),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: 'The same DPoP-bound token as a Bearer token',
    why: 'A thief who copied the token but not the key sends it as Bearer: a bound token is never a bearer token.',
    request: async (context) => {
      const { accessToken } = await context.dpopClient();
      return { method: 'GET', path: PATH, token: accessToken, tokenNote: `${DPOP_TOKEN}, without a proof` };
    },
    check: async (response) => challengeHas(response, 'error', 'invalid_token'),
    expect: { status: 401, reason: 'ERR_TOKEN_BOUND' },
  },
  {
    title: 'A replayed DPoP proof',
    why: 'A thief who captured the token and the allowed proof sends both again: each proof is accepted once (replay store).',
    request: async (context) => {
      const { accessToken } = await context.dpopClient();
      const proof = allowedProofs.get(context);
      if (proof === undefined) throw new Error('no proof was allowed before');
      return dpopRequest(accessToken, proof, 'the proof of the allowed call, sent again');
    },
    check: async (response) => challengeHas(response, 'error', 'invalid_dpop_proof'),
    expect: { status: 401, reason: 'ERR_DPOP_PROOF_REPLAYED' },
  },
  {
    title: 'A DPoP proof for another URL',
    why: 'A proof captured on GET /orders, used on GET /me: htu must be the request URI, built from the configured origin.',
    request: (context) =>
      withProof(context, 'fresh proof for GET /orders (with the nonce)', { path: '/orders' }),
    check: async (response) => detailSays(response, 'htu is not the request URI'),
    expect: { status: 401, reason: 'ERR_DPOP_PROOF_INVALID' },
  },
  {
    title: 'A DPoP proof for another method',
    why: 'A proof made for POST /me, sent with GET /me: htm must be the request method.',
    request: (context) => withProof(context, 'fresh proof for POST /me (with the nonce)', { method: 'POST' }),
    check: async (response) => detailSays(response, 'htm is not the request method'),
    expect: { status: 401, reason: 'ERR_DPOP_PROOF_INVALID' },
  },
  {
    title: 'A certificate-bound token over TLS, with its certificate',
    why: "mtls-service got its token at the provider's mTLS endpoint; the API compares cnf with the connection's certificate (RFC 8705).",
    request: (context) => withCertificate(context, 'service-a'),
    check: async (response) => boundAs(response, 'mtls'),
    expect: { status: 200, reason: 'OK' },
  },
  {
    title: 'The same token over TLS with another certificate',
    why: 'A thief with the token and a certificate of its own (same CA, service-b) cannot use it: the thumbprints differ.',
    request: (context) => withCertificate(context, 'service-b'),
    check: async (response) => challengeHas(response, 'error', 'invalid_token'),
    expect: { status: 401, reason: 'ERR_CERTIFICATE_MISMATCH' },
  },
];
