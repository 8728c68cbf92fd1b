/**
 * The fetch adapter on web-standard `Request`s: `protect` gives the principal or the core's refusal as a
 * ready `Response`, one audit event per request with the status of the response handed back, the RFC 9728
 * document and a signal endpoint served before authentication, preflight, and start-up errors.
 */
import type { AuditEvent } from '@nevertrust/core';
import { adapterFixture, settled } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { nevertrust, protectedHandler, readRequestBody, requireScopes } from '../src/index.js';

const setup = () => adapterFixture<AuditEvent>('https://idp.fetch.test/', 'https://api.fetch.test');
const URL_BASE = 'https://api.fetch.test';

describe('protect()', () => {
  it('refuses with the core response; allows with the principal; audits the final status once', async () => {
    const { options, bearer, audit } = setup();
    const auth = nevertrust(options);
    const refused = await auth.protect(new Request(`${URL_BASE}/orders`), requireScopes('orders:read'), {
      remoteAddress: '192.0.2.1',
      routeId: '/orders',
    });
    expect(refused).toBeInstanceOf(Response);
    const response = refused as Response;
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
    const request = new Request(`${URL_BASE}/orders`, { headers: bearer('orders:read') });
    const allowed = await auth.protect(request, requireScopes('orders:read'));
    if (allowed instanceof Response) throw new Error('expected an allow');
    expect(allowed.principal?.subject).toBe('user-1');
    const final = allowed.complete(Response.json({ ok: true }, { status: 202 }));
    expect(final.status).toBe(202);
    allowed.complete(new Response('again'));
    await settled(audit, 2);
    expect(audit.map((event) => [event.outcome, event.status, event.route, event.remoteAddress])).toEqual([
      ['deny', 401, '/orders', '192.0.2.1'],
      ['allow', 202, undefined, undefined],
    ]);
  });

  it('#32 duplicate Authorization lines (joined by Headers) are refused as invalid_request', async () => {
    const { options, bearer } = setup();
    const auth = nevertrust(options);
    const token = bearer().authorization;
    const headers = new Headers([
      ['authorization', token],
      ['authorization', token],
    ]);
    const refused = (await auth.protect(new Request(`${URL_BASE}/me`, { headers }))) as Response;
    expect(refused.status).toBe(400);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });

  it('protectedHandler: the handler runs only when allowed; a throw is recorded as 500', async () => {
    const { options, bearer, audit } = setup();
    const auth = nevertrust(options);
    let runs = 0;
    const handler = protectedHandler(auth, requireScopes('orders:write'), (_request, principal) => {
      runs++;
      if (principal?.subject === 'user-1') throw new Error('failing handler');
      return new Response('never');
    });
    expect(
      (await handler(new Request(`${URL_BASE}/orders`, { headers: bearer('orders:read') }))).status,
    ).toBe(403);
    await expect(
      handler(new Request(`${URL_BASE}/orders`, { headers: bearer('orders:write') })),
    ).rejects.toThrow('failing handler');
    expect(runs).toBe(1);
    await settled(audit, 2);
    expect(audit.map((event) => [event.outcome, event.status])).toEqual([
      ['deny', 403],
      ['allow', 500],
    ]);
  });

  it("denials: 'error' rejects with AccessDeniedError and still records the refusal", async () => {
    const { options, audit } = setup();
    const auth = nevertrust({ ...options, denials: 'error' });
    await expect(auth.protect(new Request(`${URL_BASE}/x`))).rejects.toMatchObject({
      name: 'AccessDeniedError',
      status: 401,
    });
    await settled(audit, 1);
    expect(audit.map((event) => event.status)).toEqual([401]);
  });

  it('preflight: true lets a real CORS preflight through as public; anything less needs a token', async () => {
    const { options } = setup();
    const auth = nevertrust({ ...options, preflight: true });
    const preflight = new Request(`${URL_BASE}/orders`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.test', 'access-control-request-method': 'GET' },
    });
    const allowed = await auth.protect(preflight, requireScopes('orders:read'));
    expect(allowed).not.toBeInstanceOf(Response);
    const bare = new Request(`${URL_BASE}/orders`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.test' },
    });
    expect(((await auth.protect(bare, requireScopes('orders:read'))) as Response).status).toBe(401);
  });

  it('bad options stop start-up, naming the option', () => {
    const { options } = setup();
    expect(() => nevertrust({ ...options, preflight: 'yes' as never })).toThrow(/preflight/);
    expect(() => nevertrust({ ...options, denials: 'loud' as never })).toThrow(/denials/);
    expect(() => nevertrust({ issuers: [] })).toThrow(/issuers/);
    const auth = nevertrust(options);
    const malformed = { type: 'scopes', match: 'all', scopes: [] } as never;
    expect(() => protectedHandler(auth, malformed, () => new Response())).toThrow(/protectedHandler\(\)/);
  });
});

describe('serve()', () => {
  it('answers the RFC 9728 document and a signal endpoint before authentication, nothing else', async () => {
    const { options } = setup();
    const auth = nevertrust({
      ...options,
      resourceMetadata: {
        resource: 'https://api.fetch.test',
        authorizationServers: ['https://idp.fetch.test/'],
      },
      backChannelLogout: { path: '/logout', clientIds: ['client-1'], maxBodyBytes: 1024 },
    });
    const document = await auth.serve(new Request(`${URL_BASE}/.well-known/oauth-protected-resource`));
    expect(document?.status).toBe(200);
    expect(await document?.json()).toMatchObject({ resource: 'https://api.fetch.test' });
    const tooLarge = await auth.serve(
      new Request(`${URL_BASE}/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `logout_token=${'x'.repeat(2000)}`,
      }),
    );
    expect(tooLarge?.status).toBe(413);
    const unsigned = await auth.serve(
      new Request(`${URL_BASE}/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'logout_token=abc',
      }),
    );
    expect(unsigned?.status).toBe(400);
    expect(auth.serve(new Request(`${URL_BASE}/orders`))).toBeUndefined();
  });

  it('readRequestBody stops at the bound while streaming, without reading the rest', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16));
      },
    });
    const request = new Request(`${URL_BASE}/logout`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await readRequestBody(request, 40)).toEqual({ body: undefined, bodyProblem: 'too-large' });
    expect(pulled).toBeLessThan(6);
    const small = new Request(`${URL_BASE}/logout`, { method: 'POST', body: 'héllo' });
    expect(await readRequestBody(small, 40)).toEqual({ body: 'héllo' });
  });
});
