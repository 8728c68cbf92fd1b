/**
 * Logout-driven refusal against the real provider (checklist A10): alice signs in at oidc-provider with
 * the `orders-web` app, whose back-channel logout URI is the API's endpoint; she calls the API with her
 * access token; she signs out at the provider (RP-initiated logout, confirmed); the provider posts its
 * logout token to the API, which verifies it with the provider's published keys and cuts her off — her
 * still-unexpired access token is refused on the next request. A forged logout token changes nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditRecord } from '@nevertrust/core';
import { createCallbackSink } from '@nevertrust/core';
import type { SignalEvent } from '@nevertrust/core/sinks';
import { getPrincipal, nevertrust } from '@nevertrust/express';
import {
  createLogoutTokenIssuer,
  generateTestKey,
  type OidcTestProvider,
  ORDERS_API,
  startOidcProvider,
} from '@nevertrust/testkit';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from './support.js';

const LOGOUT_PATH = '/oidc/backchannel-logout';
const APP = 'orders-web';

let idp: OidcTestProvider;
let api: Server;
let apiUrl: string;
const records: AuditRecord[] = [];
let middleware: ReturnType<typeof nevertrust>;

async function callApi(token: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${apiUrl}/orders`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.text() };
}

beforeAll(async () => {
  // The API listens first: the provider must know its back-channel logout URI when it starts.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  api = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  idp = await startOidcProvider({
    clients: [
      {
        clientId: APP,
        kind: 'app',
        resources: { [ORDERS_API]: ['orders:read'] },
        backchannelLogoutUri: `${apiUrl}${LOGOUT_PATH}`,
      },
    ],
  });
  middleware = nevertrust({
    issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
    backChannelLogout: { path: LOGOUT_PATH, clientIds: [APP] },
    audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
  });
  const app = express();
  app.use(middleware);
  app.get('/orders', (req, res) => {
    res.json({ subject: getPrincipal(req).subject });
  });
  handle = app;
});

afterAll(async () => {
  await middleware?.guard.close();
  await idp?.close();
  await new Promise<void>((resolve) => {
    api?.closeAllConnections();
    api?.close(() => resolve());
  });
});

async function signals(): Promise<SignalEvent[]> {
  await middleware.guard.flushAudit();
  return records.filter((record): record is SignalEvent => record.type === 'signal');
}

describe('A10 back-channel logout with oidc-provider', () => {
  it('A10 a forged logout token for alice is refused (400) and her token keeps working', async () => {
    const { accessToken } = await idp.userTokens({ loginHint: 'alice', clientId: APP });
    expect(await callApi(accessToken)).toEqual({ status: 200, body: JSON.stringify({ subject: 'alice' }) });
    // Signed with a key the provider never published, under its issuer name and a plausible kid.
    const forger = generateTestKey('RS256', idp.keyIds[0]);
    const forged = createLogoutTokenIssuer({ issuer: idp.issuer, clientId: APP, key: forger })({
      claims: { sub: 'alice' },
    });
    const response = await fetch(`${apiUrl}${LOGOUT_PATH}`, {
      method: 'POST',
      body: new URLSearchParams({ logout_token: forged }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_request');
    expect((await callApi(accessToken)).status).toBe(200);
    expect((await signals()).at(-1)).toMatchObject({ outcome: 'refused', reason: 'ERR_SIGNAL_SIGNATURE' });
  });

  it('A10 alice signs out at the provider: her still-unexpired access token is refused on the next request', async () => {
    const tokens = await idp.userTokens({ loginHint: 'alice', clientId: APP });
    const { accessToken, idToken } = tokens;
    expect(idToken).toBeDefined();
    const exp = decodeJwt(accessToken).payload.exp as number;
    expect((await callApi(accessToken)).status).toBe(200);
    const bob = await idp.userTokens({ loginHint: 'bob', clientId: APP });

    await idp.signOut(idToken as string);

    // The provider's own logout token reached the API and was applied before signOut returned.
    const applied = (await signals()).filter((record) => record.outcome === 'applied');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      channel: 'backchannel-logout',
      issuer: idp.issuer,
      subject: 'alice',
      cutOffs: ['subject'],
      status: 200,
    });
    expect(exp * 1000).toBeGreaterThan(Date.now());
    const refused = await callApi(accessToken);
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('invalid_token');
    // Other users are not affected.
    expect((await callApi(bob.accessToken)).status).toBe(200);
  });
});
