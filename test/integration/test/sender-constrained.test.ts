/**
 * Sender-constrained tokens from a real provider (oidc-provider 8.8 with its `mTLS` and `dPoP` features):
 * a service obtains a certificate-bound token over TLS with its client certificate (RFC 8705 §3) and calls
 * an Express API served over HTTPS, which accepts it with that certificate and refuses it with another one
 * or none (checklist M-1, M-2). A DPoP-bound token is obtained after a server nonce round trip (RFC 9449
 * §8) and used with the DPoP scheme and a fresh proof per request, after the API's own nonce round trip;
 * as a Bearer token, with a replayed proof or a proof for another URL it is refused (D-1…D-15).
 */

import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '@nevertrust/core';
import { certificateThumbprint } from '@nevertrust/core/policy';
import { getPrincipal, nevertrust, requireScopes } from '@nevertrust/express';
import {
  createDpopKey,
  OAuthResponseError,
  type OidcTestProvider,
  ORDERS_API,
  SPIFFE_TRUST_DOMAIN,
  startOidcProvider,
  type TlsMaterial,
  testTls,
} from '@nevertrust/testkit';
import express from 'express';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from './support.js';

let idp: OidcTestProvider;
let tls: TlsMaterial;
let api: Server;
let url: string;
const events: AuditEvent[] = [];

beforeAll(async () => {
  [idp, tls] = await Promise.all([
    startOidcProvider({ mtlsEndpoint: true, requireDpopNonce: true }),
    testTls(),
  ]);
  let app: express.Express | undefined;
  api = createServer(
    // The server trusts the test CA, so its workloads' certificates verify (`authorized`); it still takes
    // any certificate (`rejectUnauthorized: false`): binding needs possession, not a chain (M-4).
    { key: tls.serverKey, cert: tls.serverCert, ca: tls.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => app?.(req, res),
  );
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
  url = `${origin}/orders`;
  app = express();
  app.use(
    nevertrust({
      issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
      mtls: {},
      // The API's public origin: a proof's htu is compared with it, never with the Host header.
      dpop: { origin, nonce: { secrets: [randomBytes(32)] } },
      onAudit: (e) => events.push(e),
    }),
  );
  app.get('/orders', requireScopes('orders:read'), (req, res) => {
    const principal = getPrincipal(req);
    res.json({
      client: principal.clientId,
      binding: principal.binding,
      workload: principal.workload?.spiffeId,
    });
  });
});

afterAll(async () => {
  api.closeAllConnections();
  await new Promise<void>((resolve) => api.close(() => resolve()));
  await idp.close();
});

/** GET /orders over HTTPS, presenting `certificate` (or none), as a Bearer token or with a DPoP proof. */
async function callApi(
  token: string,
  certificate?: { cert: string; key: string },
  proof?: string,
  target = url,
) {
  const dispatcher = new Agent({ connect: { ca: tls.ca, ...certificate } });
  const headers = proof
    ? { authorization: `DPoP ${token}`, dpop: proof }
    : { authorization: `Bearer ${token}` };
  try {
    const response = await request(target, { headers, dispatcher });
    const body = (await response.body.json()) as Record<string, unknown>;
    const nonce = response.headers['dpop-nonce'];
    return {
      status: response.statusCode,
      challenge: response.headers['www-authenticate'],
      nonce: typeof nonce === 'string' ? nonce : undefined,
      body,
    };
  } finally {
    await dispatcher.close();
  }
}

describe('M-1 / M-2 a certificate-bound token from oidc-provider, to an Express API over HTTPS', () => {
  const serviceA = () => ({ cert: tls.clientCert, key: tls.clientKey });

  it('the provider binds the token to the certificate presented at its mTLS endpoint', async () => {
    const { accessToken, tokenType } = await idp.boundClientCredentials('mtls-service', {
      scope: 'orders:read',
      certificate: serviceA(),
    });
    expect(tokenType).toBe('Bearer');
    const { payload } = decodeJwt(accessToken);
    expect(payload.cnf).toEqual({
      'x5t#S256': certificateThumbprint(new X509Certificate(tls.clientCert).raw),
    });
  });

  it('without a certificate the provider issues no token to the mTLS-bound client', async () => {
    const attempt = idp.boundClientCredentials('mtls-service', { scope: 'orders:read' });
    await expect(attempt).rejects.toBeInstanceOf(OAuthResponseError);
    await expect(attempt).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('with the same certificate: 200, the principal says the token is certificate-bound and names the workload', async () => {
    const { accessToken } = await idp.boundClientCredentials('mtls-service', {
      scope: 'orders:read',
      certificate: serviceA(),
    });
    const response = await callApi(accessToken, serviceA());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      client: 'mtls-service',
      binding: {
        type: 'mtls',
        certificateThumbprint: certificateThumbprint(new X509Certificate(tls.clientCert).raw),
      },
      // The verified client certificate's SPIFFE ID: the system that calls, next to the token's client.
      workload: `${SPIFFE_TRUST_DOMAIN}/ns/orders/sa/service-a`,
    });
    expect(events.at(-1)).toMatchObject({ outcome: 'allow', reason: 'OK', clientId: 'mtls-service' });
  });

  it.each([
    ['another certificate of the same CA', () => ({ cert: tls.otherClientCert, key: tls.otherClientKey })],
    ['no certificate', () => undefined],
  ])('with %s: 401 invalid_token, ERR_CERTIFICATE_MISMATCH', async (_name, certificate) => {
    const { accessToken } = await idp.boundClientCredentials('mtls-service', {
      scope: 'orders:read',
      certificate: serviceA(),
    });
    const response = await callApi(accessToken, certificate());
    expect(response.status).toBe(401);
    expect(response.challenge).toContain('error="invalid_token"');
    expect(response.body.error).toBe('invalid_token');
    expect(events.at(-1)).toMatchObject({ outcome: 'deny', reason: 'ERR_CERTIFICATE_MISMATCH' });
  });
});

describe('a DPoP-bound token from oidc-provider (with server nonces at both ends)', () => {
  it('D-10/D-13 is issued bound to the proof key; the API asks for its nonce, then allows a fresh proof', async () => {
    const dpop = await createDpopKey();
    const tokens = await idp.boundClientCredentials('dpop-service', { scope: 'orders:read', dpop });
    expect(tokens.tokenType).toBe('DPoP');
    expect(tokens.dpopNonce).toMatch(/^[\w-]+$/);
    expect(decodeJwt(tokens.accessToken).payload.cnf).toEqual({ jkt: dpop.thumbprint });
    const { accessToken } = tokens;
    const first = await callApi(accessToken, undefined, await dpop.proof('GET', url, { accessToken }));
    expect(first.status).toBe(401);
    expect(first.challenge).toContain('error="use_dpop_nonce"');
    expect(events.at(-1)).toMatchObject({ reason: 'ERR_DPOP_NONCE_REQUIRED' });
    const nonce = first.nonce as string;
    const proof = await dpop.proof('GET', url, { accessToken, nonce });
    const allowed = await callApi(accessToken, undefined, proof);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ client: 'dpop-service', binding: { type: 'dpop', jkt: dpop.thumbprint } });
    // No client certificate on this connection: no workload.

    // D-15: the same token as a Bearer token; RFC 9449 §11.1: the same proof again; D-5: another URL.
    expect((await callApi(accessToken)).status).toBe(401);
    expect(events.at(-1)).toMatchObject({ outcome: 'deny', reason: 'ERR_TOKEN_BOUND' });
    expect((await callApi(accessToken, undefined, proof)).status).toBe(401);
    expect(events.at(-1)).toMatchObject({ outcome: 'deny', reason: 'ERR_DPOP_PROOF_REPLAYED' });
    const elsewhere = await dpop.proof('GET', `${url}/other`, { accessToken, nonce });
    expect((await callApi(accessToken, undefined, elsewhere)).status).toBe(401);
    expect(events.at(-1)).toMatchObject({ outcome: 'deny', reason: 'ERR_DPOP_PROOF_INVALID' });
  });

  it('the DPoP-bound client gets no token without a proof', async () => {
    await expect(idp.boundClientCredentials('dpop-service', { scope: 'orders:read' })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
