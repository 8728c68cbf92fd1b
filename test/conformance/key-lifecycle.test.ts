/**
 * Keys over their lifetime, on every target (the core, and each adapter in-process, over HTTP and over
 * HTTPS), against a real key server and a shared hand-driven clock. The single-request case format cannot
 * say "between two requests the issuer changes its keys", so this file drives every target through the
 * same history, one target after the other (each with its own guard and cache):
 *
 * 1. a token signed with key A is verified twice and then served from the cache;
 * 2. the issuer rotates: it publishes B and drops A. The first token signed with B is accepted on its
 *    first request — one refetch, although the start-up fetch was moments ago (K-5);
 * 3. the cached token signed with A is now refused exactly as a fresh one would be: 401
 *    `ERR_KEY_NOT_FOUND`, no handler, one deny audit event, not a cache hit;
 * 4. with the key endpoint down past `maxAgeMs + staleIfErrorMs`, a cached token gets the same 503 with
 *    `Retry-After` as an uncached one (K-6).
 */
import type { AuditEvent, GuardOptions } from '@nevertrust/core';
import {
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  parseChallenges,
  startKeyServer,
  type TestKey,
} from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, type Fixture, REALM } from './fixture.js';
import { createTargets, type Exchange, type Target } from './targets.js';

const MAX_AGE_MS = 60_000;
const STALE_MS = 60_000;

let server: KeyServer;
let targets: Target[];
let now = Date.now();
const keyA = generateTestKey('ES256', 'lifecycle-a');
const keyB = generateTestKey('ES256', 'lifecycle-b');

/** One remote issuer (the key server), the default token cache, the shared clock. */
function lifecycleFixture(): Fixture {
  return {
    mint: () => {
      throw new Error('this suite mints its own tokens');
    },
    guardOptions(onAudit: (event: AuditEvent) => void): GuardOptions {
      return {
        issuers: [{ issuer: server.url, audience: AUDIENCE, jwksUri: server.jwksUri }],
        realm: REALM,
        clock: () => now,
        keyFetch: { ca: server.ca ?? [], timeoutMs: 2000, maxAgeMs: MAX_AGE_MS, staleIfErrorMs: STALE_MS },
        onAudit,
      };
    },
    close: async () => {},
  };
}

beforeAll(async () => {
  server = await startKeyServer({ keys: [keyA.jwk] });
  targets = await createTargets(lifecycleFixture());
  // The adapters fetch their keys as soon as they are wired (loud at start-up); the fetches counted below
  // must be the rotation's alone, so wait until those start-up fetches are over.
  for (let last = -1, waited = 0; server.count('/jwks') !== last && waited < 5000; waited += 200) {
    last = server.count('/jwks');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
  await server.close();
});

function mint(key: TestKey): string {
  return createTokenIssuer({ issuer: server.url, audience: AUDIENCE, key, now: () => now / 1000 })({
    claims: { scope: 'orders:read' },
    lifetime: 3600,
  });
}

let requestId = 0;
async function send(target: Target, token: string): Promise<Exchange> {
  requestId += 1;
  return target.run(
    { method: 'GET', target: '/api/orders', headers: [['authorization', `Bearer ${token}`]] },
    `lifecycle-${requestId}`,
  );
}

/** What every target must agree on for one exchange. */
function observe(exchange: Exchange) {
  expect(exchange.audit).toHaveLength(1);
  const [event] = exchange.audit as [AuditEvent];
  const challenge = exchange.response.headers['www-authenticate']?.[0];
  return {
    status: exchange.response.status,
    handlerRan: exchange.handlerRan,
    error: challenge === undefined ? null : (parseChallenges(challenge)[0]?.params.error ?? null),
    retryAfter: exchange.response.headers['retry-after'] ?? [],
    audit: { outcome: event.outcome, reason: event.reason, cacheHit: event.cacheHit, keyId: event.keyId },
  };
}

/** The history of the file header, on one target; returns what it observed at each step. */
async function history(target: Target) {
  server.setKeys([keyA.jwk]);
  server.setMode('up');
  const cachedA = mint(keyA);
  const warm = [await send(target, cachedA), await send(target, cachedA), await send(target, cachedA)];
  // The issuer rotates: B published, A dropped; the first token signed with B arrives at once.
  server.setKeys([keyB.jwk]);
  now += 1000;
  const fetchesBefore = server.count('/jwks');
  const firstB = await send(target, mint(keyB));
  const refetches = server.count('/jwks') - fetchesBefore;
  const droppedA = await send(target, cachedA);
  const cachedB = mint(keyB);
  await send(target, cachedB);
  await send(target, cachedB);
  const hitB = await send(target, cachedB);
  // The endpoint fails; past the stale bound, cached and uncached tokens get the same 503.
  server.setMode('down');
  now += MAX_AGE_MS + STALE_MS + 1;
  const staleCached = await send(target, cachedB);
  const staleFresh = await send(target, mint(keyB));
  server.setMode('up');
  now += 60_000;
  return {
    warm: warm.map(observe),
    firstB: observe(firstB),
    refetches,
    droppedA: observe(droppedA),
    hitB: observe(hitB),
    staleCached: observe(staleCached),
    staleFresh: observe(staleFresh),
  };
}

describe('conformance: key lifecycle on every target (core, express, koa, fastify, hono, fetch, Nest on Express and Fastify × in-process, HTTP, HTTPS)', () => {
  it('K-5/K-6: rotation accepted at once, a dropped key ends its cached tokens, no cached token outlives the stale bound', async () => {
    const allow = (cacheHit: boolean, keyId: string) => ({
      status: 200,
      handlerRan: true,
      error: null,
      retryAfter: [],
      audit: { outcome: 'allow', reason: 'OK', cacheHit, keyId },
    });
    const unavailable = {
      status: 503,
      handlerRan: false,
      error: null,
      retryAfter: ['5'],
      audit: { outcome: 'deny', reason: 'ERR_KEYS_UNAVAILABLE', cacheHit: false, keyId: undefined },
    };
    const expected = {
      warm: [allow(false, keyA.kid), allow(false, keyA.kid), allow(true, keyA.kid)],
      firstB: allow(false, keyB.kid),
      refetches: 1,
      droppedA: {
        status: 401,
        handlerRan: false,
        error: 'invalid_token',
        retryAfter: [],
        audit: { outcome: 'deny', reason: 'ERR_KEY_NOT_FOUND', cacheHit: false, keyId: undefined },
      },
      hitB: allow(true, keyB.kid),
      staleCached: unavailable,
      staleFresh: unavailable,
    };
    // The core, and seven frameworks over three transports.
    expect(targets.map((target) => target.name)).toHaveLength(22);
    for (const target of targets) {
      expect(await history(target), target.name).toEqual(expected);
    }
  });
});
