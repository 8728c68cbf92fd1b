/**
 * Sender-constrained tokens from the test provider: certificate-bound (RFC 8705 §3, oidc-provider's `mTLS`
 * feature) and DPoP-bound (RFC 9449, its `dPoP` feature, with server nonces). The provider reads the client
 * certificate from the TLS socket of its mTLS endpoint (RFC 8705 §5 `mtls_endpoint_aliases`: an HTTPS
 * listener on another port that asks clients for a certificate and accepts any, as RFC 8705 §6.2 allows);
 * DPoP works on the plain HTTP issuer too. The client here speaks `node:https` so it can present a
 * certificate; nothing is forged, every token comes from the provider.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { calculateJwkThumbprint, type JWK, SignJWT } from 'jose';
import { type ServedHandler, serve } from './adapter-fixture.js';
import { type CollectedResponse, collectResponse } from './http-response.js';
import { OAuthResponseError, type TokenSet } from './oidc-provider-client.js';
import { testTls } from './tls.js';

/** A client certificate (PEM) to present over TLS. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

/** A DPoP key pair and the proofs it signs (RFC 9449 §4.2). */
export interface DpopKey {
  readonly publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key: the `cnf.jkt` of tokens bound to it. */
  readonly thumbprint: string;
  /** A fresh proof for `htm` and `htu`, with `ath` when an access token is given, and a server nonce. */
  proof(htm: string, htu: string, options?: { accessToken?: string; nonce?: string }): Promise<string>;
}

/**
 * Generates a P-256 DPoP key.
 *
 * @example
 * ```ts
 * const dpop = await createDpopKey();
 * const proof = await dpop.proof('GET', 'https://api.example.com/orders', { accessToken });
 * ```
 */
export async function createDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const thumbprint = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    publicJwk,
    thumbprint,
    proof: (htm, htu, options = {}) => signProof(privateKey, publicJwk, htm, htu, options),
  };
}

function signProof(
  key: KeyObject,
  jwk: JWK,
  htm: string,
  htu: string,
  options: { accessToken?: string; nonce?: string },
): Promise<string> {
  const claims: Record<string, unknown> = { htm, htu, jti: randomUUID() };
  if (options.nonce !== undefined) claims.nonce = options.nonce;
  if (options.accessToken !== undefined) {
    claims.ath = createHash('sha256').update(options.accessToken).digest('base64url');
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt()
    .sign(key);
}

/**
 * Starts the provider's mTLS endpoint: HTTPS on 127.0.0.1, asking every client for a certificate.
 *
 * @example
 * ```ts
 * const endpoint = await startMtlsEndpoint((req, res) => provider.callback()(req, res));
 * ```
 */
export async function startMtlsEndpoint(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<ServedHandler> {
  const tls = await testTls();
  return serve(handle, {
    key: tls.serverKey,
    cert: tls.serverCert,
    requestCert: true,
    rejectUnauthorized: false,
  });
}

/**
 * oidc-provider's `features.mTLS.getCertificate`: the certificate of the request's own TLS connection, or
 * nothing on plain HTTP or when the client presented none.
 */
export function socketCertificate(ctx: { socket?: unknown }): unknown {
  const socket = ctx.socket as Partial<TLSSocket> | undefined;
  if (socket?.encrypted !== true || typeof socket.getPeerX509Certificate !== 'function') return undefined;
  return socket.getPeerX509Certificate();
}

async function postForm(
  url: string,
  form: URLSearchParams,
  headers: Record<string, string>,
  certificate: ClientCertificate | undefined,
): Promise<CollectedResponse> {
  const secure = url.startsWith('https:');
  const tls = secure ? { ca: (await testTls()).ca, ...(certificate ?? {}) } : {};
  const body = form.toString();
  return new Promise((resolve, reject) => {
    const outgoing = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
        ...tls,
      },
      (response) => {
        collectResponse(response).then(resolve, reject);
      },
    );
    outgoing.setTimeout(5000, () => outgoing.destroy(new Error('token request timed out')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** What a bound client-credentials request adds to a plain one. */
export interface BoundTokenRequest {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly resource: string;
  readonly scope?: string;
  /** Presented over TLS (the token endpoint must be the mTLS one): the token is bound to it. */
  readonly certificate?: ClientCertificate;
  /** Signs a DPoP proof for the token request: the token is bound to this key. */
  readonly dpop?: DpopKey;
}

/** A token response, with the provider's last DPoP nonce when it sent one. */
export interface BoundTokenSet extends TokenSet {
  readonly dpopNonce: string | undefined;
}

/**
 * The client credentials grant with a certificate and/or a DPoP proof. A `use_dpop_nonce` answer is
 * retried once with the provider's nonce (RFC 9449 §8).
 *
 * @example
 * ```ts
 * const { accessToken } = await requestBoundClientCredentials({ tokenEndpoint, clientId, clientSecret, resource, certificate });
 * ```
 */
export async function requestBoundClientCredentials(request: BoundTokenRequest): Promise<BoundTokenSet> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', resource: request.resource });
  if (request.scope !== undefined) form.set('scope', request.scope);
  const secret = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  const authorization = `Basic ${Buffer.from(`${secret(request.clientId)}:${secret(request.clientSecret)}`).toString('base64')}`;
  let nonce: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { authorization };
    if (request.dpop) {
      headers.dpop = await request.dpop.proof(
        'POST',
        request.tokenEndpoint,
        nonce === undefined ? {} : { nonce },
      );
    }
    const response = await postForm(request.tokenEndpoint, form, headers, request.certificate);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      throw new OAuthResponseError(response.status, 'invalid_response', 'not JSON');
    }
    const offered = response.headers['dpop-nonce']?.[0];
    if (offered !== undefined) nonce = offered;
    if (body.error === 'use_dpop_nonce' && attempt === 0 && nonce !== undefined) continue;
    if (response.status !== 200 || typeof body.access_token !== 'string') {
      throw new OAuthResponseError(
        response.status,
        String(body.error ?? 'http_error'),
        typeof body.error_description === 'string' ? body.error_description : undefined,
      );
    }
    return {
      accessToken: body.access_token,
      tokenType: String(body.token_type),
      expiresIn: Number(body.expires_in),
      scope: typeof body.scope === 'string' ? body.scope : undefined,
      dpopNonce: nonce,
    };
  }
}
