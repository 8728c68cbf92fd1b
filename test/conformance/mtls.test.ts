/**
 * Certificate-bound access tokens (RFC 8705 §3) on every adapter over real sockets: HTTPS servers that ask
 * for client certificates (`requestCert: true, rejectUnauthorized: false`), clients presenting certificates
 * generated at test time, and plain HTTP. A trusted TLS-terminating proxy is played by a client that
 * connects from 127.0.0.2 (the one configured proxy address), so the same header from 127.0.0.1 is a spoof.
 * Each case asserts the status, the RFC 6750 challenge, the body error, whether the handler ran and the one
 * audit event, on the core and on Express, Koa, Fastify and Hono (TLS facts from @hono/node-server's socket)
 * alike. The plain fetch handler is left out: its caller would pass the TLS facts itself.
 */
import { X509Certificate } from 'node:crypto';
import { type AuditEvent, ERROR_TABLE, type ErrorCode } from '@nevertrust/core';
import { certificateThumbprint } from '@nevertrust/core/policy';
import { parseChallenges, type TlsMaterial, testTls } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRecipe } from './api.js';
import { FRAMEWORKS } from './apps.js';
import { createFixture, type Fixture, REALM } from './fixture.js';
import {
  MTLS_CASES as CASES,
  type Certificates,
  type MtlsCase,
  mtlsProfile,
  PROXY,
  PROXY_STYLES,
  type ProxyStyle,
} from './mtls-cases.js';
import { createTargets, type Exchange, type Target } from './targets.js';
import type { ClientCertificate, WireRequest } from './transport.js';

let fixture: Fixture;
let tls: TlsMaterial;
/** The targets behind each proxy style (nginx's URL-encoded PEM first, then Envoy's XFCC). */
const targetsByStyle = new Map<ProxyStyle, Target[]>();
const [NGINX, ENVOY] = PROXY_STYLES as [ProxyStyle, ProxyStyle];
const certificates = new Map<Certificates, ClientCertificate>();

beforeAll(async () => {
  fixture = await createFixture();
  tls = await testTls();
  certificates.set('service-a', { cert: tls.clientCert, key: tls.clientKey });
  certificates.set('service-b', { cert: tls.otherClientCert, key: tls.otherClientKey });
  certificates.set('expired-self-signed', { cert: tls.expiredSelfSignedCert, key: tls.expiredSelfSignedKey });
  for (const style of PROXY_STYLES) {
    targetsByStyle.set(
      style,
      await createTargets(fixture, mtlsProfile(style), new Map(), ['http', 'https'], [...FRAMEWORKS, 'hono']),
    );
  }
});

afterAll(async () => {
  await Promise.all([...targetsByStyle.values()].flat().map((target) => target.close()));
  await fixture.close();
});

function certificate(name: Certificates): ClientCertificate {
  return certificates.get(name) as ClientCertificate;
}

function thumbprintOf(name: Certificates): string {
  return certificateThumbprint(new X509Certificate(certificate(name).cert).raw);
}

/** A read token bound to `name`'s certificate. */
function boundToken(name: Certificates, extraCnf: Readonly<Record<string, string>> = {}): string {
  const recipe: TokenRecipe = {
    scope: 'orders:read',
    claims: { cnf: { 'x5t#S256': thumbprintOf(name), ...extraCnf } },
  };
  return fixture.mint(recipe);
}

function requestOf(testCase: MtlsCase, token: string, style: ProxyStyle = NGINX): WireRequest {
  const headers: [string, string][] = [['authorization', `Bearer ${token}`]];
  if (testCase.header) headers.push([style.header, style.encode(certificate(testCase.header).cert)]);
  const presents = testCase.presents;
  return {
    method: 'GET',
    target: '/api/orders',
    headers,
    clientCertificate: presents ? certificate(presents) : null,
    localAddress: testCase.from ?? '127.0.0.1',
  };
}

/** The targets a case runs on: its transport, and the core (which is handed the same TLS facts). */
function targetsFor(testCase: MtlsCase, style: ProxyStyle = NGINX): Target[] {
  return (targetsByStyle.get(style) ?? []).filter(
    (target) => target.name === 'core' || target.name.endsWith(`/${testCase.transport}`),
  );
}

function expectOutcome(exchange: Exchange, testCase: MtlsCase, context: string): AuditEvent {
  const { response } = exchange;
  expect(exchange.audit, `${context}: exactly one audit event`).toHaveLength(1);
  const event = exchange.audit[0] as AuditEvent;
  expect(response.status, context).toBe(testCase.expect.status);
  expect(event, context).toMatchObject({
    outcome: testCase.expect.status === 200 ? 'allow' : 'deny',
    reason: testCase.expect.status === 200 ? 'OK' : testCase.expect.code,
    status: testCase.expect.status,
    route: '/api/orders',
    remoteAddress: testCase.from ?? '127.0.0.1',
  });
  expect(exchange.handlerRan, `${context}: handler ran`).toBe(testCase.expect.status === 200);
  if (testCase.expect.status === 200) return event;
  const spec = ERROR_TABLE[testCase.expect.code as Exclude<ErrorCode, 'ERR_CONFIG'>];
  const [challenge] = parseChallenges(response.headers['www-authenticate']?.[0] ?? '');
  expect(challenge, context).toEqual({
    scheme: 'Bearer',
    params: { realm: REALM, error: 'invalid_token', error_description: spec.description },
  });
  expect(JSON.parse(response.body), context).toEqual({
    error: 'invalid_token',
    error_description: spec.description,
  });
  expect(response.headers['cache-control'], context).toEqual(['no-store']);
  return event;
}

describe('M-1…M-6 certificate-bound tokens on the core, Express, Koa, Fastify and Hono (HTTPS with client certificates, HTTP)', () => {
  // Every case behind nginx-style forwarding; the cases that involve the proxy header again behind Envoy.
  const runs = PROXY_STYLES.flatMap((style) =>
    CASES.filter((testCase) => style === NGINX || testCase.header || testCase.from === PROXY).map(
      (testCase) => [`${testCase.name} (${style.format})`, testCase, style] as const,
    ),
  );
  it.each(runs.map((run, index) => [...run, index] as const))('%s', async (_name, testCase, style, index) => {
    const token = boundToken(testCase.boundTo, testCase.extraCnf);
    const ran: string[] = [];
    for (const target of targetsFor(testCase, style)) {
      const exchange = await target.run(requestOf(testCase, token, style), `mtls-${index}`);
      expectOutcome(exchange, testCase, `${target.name}: ${testCase.name} (${style.format})`);
      ran.push(target.name);
    }
    expect(ran).toHaveLength(5);
  });

  it('M-2 a cached verification never stands in for the certificate: right, right, then another → 401 on a cache hit', async () => {
    const token = boundToken('service-a');
    const right: MtlsCase = { ...(CASES[0] as MtlsCase) };
    const other: MtlsCase = { ...(CASES[1] as MtlsCase) };
    for (const target of targetsFor(right)) {
      for (const round of [1, 2, 3]) {
        expectOutcome(await target.run(requestOf(right, token), `mtls-cache-${round}`), right, target.name);
      }
      const refused = expectOutcome(
        await target.run(requestOf(other, token), 'mtls-cache-4'),
        other,
        target.name,
      );
      expect(refused.cacheHit, `${target.name}: refused although the token was cached`).toBe(true);
    }
  });

  it('M-7 the protected resource metadata says certificate-bound tokens are accepted', async () => {
    const { createGuard } = await import('@nevertrust/core');
    const options = await mtlsProfile(ENVOY).options(fixture.guardOptions(() => {}));
    const guard = createGuard({
      ...options,
      resourceMetadata: { resource: 'https://api.conformance.test/api' },
    });
    expect(guard.resourceMetadata?.document).toMatchObject({
      tls_client_certificate_bound_access_tokens: true,
    });
    await guard.close();
  });
});
