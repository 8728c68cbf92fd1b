/**
 * Opaque access tokens verified by RFC 7662 introspection, on every target (checklist A6): the core, and
 * each adapter in-process, over HTTP and over HTTPS, each with its own guard (and so its own answer
 * cache) asking one real introspection endpoint on 127.0.0.1. An active token reaches the handler; an
 * inactive one is a 401 `invalid_token`; a cached answer never stands in for another route's requirement
 * (the shape of CVE-2021-32701); a provider that cannot answer, or whose signed answer (RFC 9701, asked for
 * with `responseFormat: 'jwt'`) does not verify, is a 503 with `Retry-After`. No handler runs for a refusal,
 * and each request is one audit event with the refusal's reason.
 */
import { type AuditEvent, type AuditRecord, createGuard, type Guard, requireScopes } from '@nevertrust/core';
import { generateTestKey, type IntrospectionServer, startIntrospectionServer } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_FRAMEWORKS } from './apps.js';
import { AUDIENCE, REALM } from './fixture.js';
import { type OwnGuardTarget, ownGuardTargets } from './own-guard-targets.js';
import { toWireResponse } from './targets.js';
import { TRANSPORTS } from './transport.js';

const ISSUER = 'https://idp.introspection.test/';
const CLIENT = { clientId: 'conformance-api', clientSecret: 'conformance-secret' };
// The issuer's key: it signs the endpoint's answers, and only it verifies them.
const ISSUER_KEY = generateTestKey('ES256', 'introspection-issuer');
let server: IntrospectionServer;
let targets: OwnGuardTarget[] = [];
let sequence = 0;

function newGuard(_records: AuditRecord[], events: AuditEvent[]): Guard {
  return createGuard({
    // A static key verifies the signed answers and keeps the issuer from discovering one.
    issuers: [
      {
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: [ISSUER_KEY.jwk],
        introspection: { ...CLIENT, endpoint: server.endpoint, timeoutMs: 500, responseFormat: 'jwt' },
      },
    ],
    realm: REALM,
    onAudit: (event) => events.push(event),
    logger: false,
  });
}

beforeAll(async () => {
  server = await startIntrospectionServer({ ...CLIENT, issuer: ISSUER, signingKey: ISSUER_KEY });
  targets = await ownGuardTargets('introspection', newGuard);
});

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
  await server?.close();
});

/** A new opaque token the endpoint answers active for, with `scope`. */
function opaque(scope: string): string {
  sequence += 1;
  const token = `conformance-opaque-${sequence}-${'z'.repeat(24)}`;
  const now = Math.floor(Date.now() / 1000);
  server.setToken(token, { aud: AUDIENCE, iss: ISSUER, client_id: 'c1', sub: 'u1', scope, exp: now + 300 });
  return token;
}

const TARGET_NAMES = [
  'core',
  ...ALL_FRAMEWORKS.flatMap((framework) => TRANSPORTS.map((t) => `${framework}/${t}`)),
];

const header = (response: { headers: Readonly<Record<string, readonly string[]>> }, name: string) =>
  response.headers[name]?.[0];

describe.each(TARGET_NAMES)('introspection on %s (A6)', (name) => {
  const target = () => {
    const found = targets.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no target ${name}`);
    return found;
  };

  it('I-3: an active opaque token reaches the handler', async () => {
    const { response, handlerRan, audit } = await target().call(opaque('orders:read'));
    expect({ status: response.status, handlerRan, reason: audit.reason }).toEqual({
      status: 200,
      handlerRan: true,
      reason: 'OK',
    });
  });

  it('I-4: an inactive token → 401 invalid_token ERR_TOKEN_INACTIVE, no handler', async () => {
    const { response, handlerRan, audit } = await target().call('never-issued-opaque-token');
    expect({ status: response.status, handlerRan, reason: audit.reason }).toEqual({
      status: 401,
      handlerRan: false,
      reason: 'ERR_TOKEN_INACTIVE',
    });
    expect(header(response, 'www-authenticate')).toContain('error="invalid_token"');
  });

  it('I-5 (CVE-2021-32701 shape): the cached answer for GET (orders:read) never allows POST (orders:write)', async () => {
    const { client, events, guard } = target();
    const token = opaque('orders:read');
    expect((await target().call(token)).audit.reason).toBe('OK');
    const before = server.requests.length;
    const start = events.length;
    const authorization = `Bearer ${token}`;
    // The core target has no routes: the POST route's requirement is handed to the guard directly.
    const response = client
      ? await client.send({
          method: 'POST',
          target: '/api/orders',
          headers: [['authorization', authorization]],
        })
      : toWireResponse(
          await guard.evaluate(
            { method: 'POST', target: '/api/orders', headers: { authorization: [authorization] } },
            requireScopes('orders:write'),
          ),
        );
    expect(response.status).toBe(403);
    await expect.poll(() => events.length).toBe(start + 1);
    expect(events[start]).toMatchObject({ reason: 'ERR_INSUFFICIENT_SCOPE', cacheHit: true });
    expect(server.requests.length).toBe(before);
  });

  /** While `fault` holds, an active token is refused with 503 and `Retry-After`, no handler run. */
  async function expectUnavailable(fault: () => void, repair: () => void) {
    const token = opaque('orders:read');
    fault();
    try {
      const { response, handlerRan, audit } = await target().call(token);
      expect({ status: response.status, handlerRan, reason: audit.reason }).toEqual({
        status: 503,
        handlerRan: false,
        reason: 'ERR_INTROSPECTION_UNAVAILABLE',
      });
      expect(Number(header(response, 'retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      repair();
    }
  }

  it('the endpoint failing → 503 ERR_INTROSPECTION_UNAVAILABLE with Retry-After, no handler', async () => {
    await expectUnavailable(
      () => server.setMode('error'),
      () => server.setMode('up'),
    );
  });

  it('RFC 9701: a signed answer that does not verify → 503 ERR_INTROSPECTION_UNAVAILABLE, no handler', async () => {
    await expectUnavailable(
      () => server.setSignedAnswer({ key: generateTestKey('ES256', ISSUER_KEY.kid) }),
      () => server.setSignedAnswer(undefined),
    );
  });
});
