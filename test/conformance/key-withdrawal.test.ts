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
  type RequestFacts,
} from '@nevertrust/core';
import {
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  parseChallenges,
  startKeyServer,
} from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, FRAMEWORKS, loadControllers } from './apps.js';
import { AUDIENCE, REALM } from './fixture.js';
import { toWireResponse } from './targets.js';
import { connect, TRANSPORTS, type WireResponse } from './transport.js';

/** One target: a guard, and how to send `GET /api/orders` with a token through it. */
interface WithdrawalTarget {
  readonly name: string;
  readonly guard: Guard;
  readonly records: AuditRecord[];
  /** The response, whether a handler ran, and the decision's audit event. */
  send(token: string): Promise<{ response: WireResponse; handlerRan: boolean; audit: AuditEvent }>;
  close(): Promise<void>;
}

const key = generateTestKey('ES256', 'withdrawal-1');
let server: KeyServer;
const targets: WithdrawalTarget[] = [];

function newGuard(records: AuditRecord[], events: AuditEvent[]): Guard {
  return createGuard({
    issuers: [{ issuer: server.url, audience: AUDIENCE, jwksUri: server.jwksUri }],
    realm: REALM,
    keyFetch: { ca: server.ca ?? [], timeoutMs: 2000 },
    onAudit: (event) => events.push(event),
    audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
  });
}

/** Waits (bounded) for the one audit event of a request: adapters record it when the response ends. */
async function nextEvent(events: AuditEvent[], start: number): Promise<AuditEvent> {
  const deadline = Date.now() + 2000;
  while (events.length === start && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  expect(events.length - start).toBe(1);
  return events[start] as AuditEvent;
}

beforeAll(async () => {
  server = await startKeyServer({ keys: [key.jwk] });
  const ran = new Set<string>();
  const controllers = await loadControllers((tag) => tag && ran.add(tag));
  let sequence = 0;
  {
    const records: AuditRecord[] = [];
    const events: AuditEvent[] = [];
    const guard = newGuard(records, events);
    targets.push({
      name: 'core',
      guard,
      records,
      async send(token) {
        const start = events.length;
        const facts: RequestFacts = {
          method: 'GET',
          target: '/api/orders',
          headers: { authorization: [`Bearer ${token}`] },
          remoteAddress: '127.0.0.1',
          routeId: '/api/orders',
        };
        const decision = await guard.evaluate(facts);
        const response = toWireResponse(decision);
        return { response, handlerRan: decision.outcome === 'allow', audit: await nextEvent(events, start) };
      },
      close: () => guard.close(),
    });
  }
  for (const framework of FRAMEWORKS) {
    for (const transport of TRANSPORTS) {
      const records: AuditRecord[] = [];
      const events: AuditEvent[] = [];
      const guard = newGuard(records, events);
      const app = await buildApp(framework, { guard }, (tag) => tag && ran.add(tag), controllers);
      const client = await connect(app.handler, transport);
      targets.push({
        name: `${framework}/${transport}`,
        guard,
        records,
        async send(token) {
          sequence += 1;
          const tag = `withdrawal-${sequence}`;
          const start = events.length;
          const headers = [
            ['authorization', `Bearer ${token}`],
            ['x-case', tag],
          ] as const;
          const response = await client.send({ method: 'GET', target: '/api/orders', headers });
          return { response, handlerRan: ran.has(tag), audit: await nextEvent(events, start) };
        },
        async close() {
          await client.close();
          await app.close();
          await guard.close();
        },
      });
    }
  }
});

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
  await server?.close();
});

/** What every target must agree on for one request. */
async function observe(target: WithdrawalTarget, token: string) {
  const { response, handlerRan, audit } = await target.send(token);
  const challenge = response.headers['www-authenticate']?.[0];
  return {
    status: response.status,
    handlerRan,
    error: challenge === undefined ? null : (parseChallenges(challenge)[0]?.params.error ?? null),
    cacheControl: response.status === 200 ? null : (response.headers['cache-control'] ?? []),
    audit: { outcome: audit.outcome, reason: audit.reason, cacheHit: audit.cacheHit, detail: audit.detail },
  };
}

describe('conformance: guard.keys withdrawal on every target (core, express, koa, fastify × in-process, HTTP, HTTPS)', () => {
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
    expect(targets).toHaveLength(10);
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
