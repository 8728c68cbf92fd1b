/**
 * The operator's key withdrawal (`guard.keys`) on every target: the core, and each adapter in-process,
 * over HTTP and over HTTPS. Each target's guard is created beforehand and handed to the adapter
 * (`{ guard }`), so the test withdraws on the very guard that serves the requests. A token already served
 * from the cache is refused from the next request on — 401 `invalid_token`, no handler, one deny audit
 * event saying why, and a `key` record of the operator's call — while the issuer still publishes the key;
 * restoring it lets the token through again. Issuer-wide withdrawal likewise.
 */
import {
  type AuditEvent,
  type AuditRecord,
  createCallbackSink,
  createGuard,
  type Guard,
} from '@nevertrust/core';
import {
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  parseChallenges,
  startKeyServer,
} from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, REALM } from './fixture.js';
import { type OwnGuardTarget, ownGuardTargets } from './own-guard-targets.js';

const key = generateTestKey('ES256', 'withdrawal-1');
let server: KeyServer;
const targets: OwnGuardTarget[] = [];

function newGuard(records: AuditRecord[], events: AuditEvent[]): Guard {
  return createGuard({
    issuers: [{ issuer: server.url, audience: AUDIENCE, jwksUri: server.jwksUri }],
    realm: REALM,
    keyFetch: { ca: server.ca ?? [], timeoutMs: 2000 },
    onAudit: (event) => events.push(event),
    audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
  });
}

beforeAll(async () => {
  server = await startKeyServer({ keys: [key.jwk] });
  targets.push(...(await ownGuardTargets('withdrawal', newGuard)));
});

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
  await server?.close();
});

/** What every target must agree on for one request. */
async function observe(target: OwnGuardTarget, token: string) {
  const { response, handlerRan, audit } = await target.call(token);
  const challenge = response.headers['www-authenticate']?.[0];
  return {
    status: response.status,
    handlerRan,
    error: challenge === undefined ? null : (parseChallenges(challenge)[0]?.params.error ?? null),
    cacheControl: response.status === 200 ? null : (response.headers['cache-control'] ?? []),
    audit: { outcome: audit.outcome, reason: audit.reason, cacheHit: audit.cacheHit, detail: audit.detail },
  };
}

describe('conformance: guard.keys withdrawal on every target (core, express, koa, fastify, hono, fetch × in-process, HTTP, HTTPS)', () => {
  it('a withdrawn key or issuer refuses its cached tokens from the next request on; restore lets them through', async () => {
    const allowed = (cacheHit: boolean) => ({
      status: 200,
      handlerRan: true,
      error: null,
      cacheControl: null,
      audit: { outcome: 'allow', reason: 'OK', cacheHit, detail: undefined },
    });
    const withdrawn = {
      status: 401,
      handlerRan: false,
      error: 'invalid_token',
      cacheControl: ['no-store'],
      audit: {
        outcome: 'deny',
        reason: 'ERR_KEY_NOT_FOUND',
        cacheHit: false,
        detail: 'key lookup: withdrawn',
      },
    };
    expect(targets).toHaveLength(22);
    for (const target of targets) {
      const token = createTokenIssuer({ issuer: server.url, audience: AUDIENCE, key })({
        claims: { scope: 'orders:read' },
      });
      const { guard } = target;
      const seen = [];
      for (let i = 0; i < 3; i += 1) seen.push(await observe(target, token));
      guard.keys.withdraw(server.url, key.kid);
      seen.push(await observe(target, token));
      guard.keys.restore(server.url, key.kid);
      seen.push(await observe(target, token));
      guard.keys.withdrawIssuer(server.url);
      seen.push(await observe(target, token));
      guard.keys.restoreIssuer(server.url);
      seen.push(await observe(target, token));
      expect(seen, target.name).toEqual([
        allowed(false),
        allowed(false),
        allowed(true),
        withdrawn,
        allowed(false),
        withdrawn,
        allowed(false),
      ]);
      await guard.flushAudit();
      const calls = target.records
        .filter((record) => record.type === 'key')
        .map((record) => [record.origin, record.action, record.scope, record.issuer, record.keyId]);
      expect(calls, target.name).toEqual([
        ['operator', 'withdrawn', 'key', server.url, key.kid],
        ['operator', 'restored', 'key', server.url, key.kid],
        ['operator', 'withdrawn', 'issuer', server.url, undefined],
        ['operator', 'restored', 'issuer', server.url, undefined],
      ]);
    }
  });
});
