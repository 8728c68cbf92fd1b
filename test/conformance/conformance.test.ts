/**
 * The conformance suite: every case of `cases.ts` against the core and against each adapter in-process,
 * over HTTP and over HTTPS. Each target must meet the case's expectation, and the twenty-one adapter targets
 * (Express, Koa, Fastify, Hono, a plain fetch handler, and Nest on Express and on Fastify, each over three
 * transports) must produce identical observations; where a target cannot run a case, that is recorded below.
 */
import type { AuditEvent } from '@nevertrust/core';
import { parseChallenges } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceCase, ExpectedAudit, RouteByFramework } from './api.js';
import { ALL_FRAMEWORKS } from './apps.js';
import { CASES as BASE_CASES } from './cases.js';
import { DPOP_CASES } from './dpop-cases.js';
import { dpopRequest } from './dpop-requests.js';
import { createFixture, type Fixture } from './fixture.js';
import { POLICY_CASES } from './policy-cases.js';
import { PROFILES, type ProfileName } from './profiles.js';
import { STORE_CASES } from './store-cases.js';
import { createTargets, type Exchange, type Target } from './targets.js';
import { TOKEN_CASES } from './token-cases.js';
import { TRANSPORTS, type WireRequest } from './transport.js';
import { WIRING_CASES } from './wiring-cases.js';

/** The audit fields that must agree across targets (time and durations vary by nature). */
function normaliseAudit(event: AuditEvent) {
  return {
    outcome: event.outcome,
    reason: event.reason,
    status: event.status,
    method: event.method,
    path: event.path,
    route: event.route,
    remoteAddress: event.remoteAddress,
    issuer: event.issuer,
    subject: event.subject,
    clientId: event.clientId,
    tokenId: event.tokenId,
    keyId: event.keyId,
    tokenFingerprint: event.tokenFingerprint,
    requirement: event.requirement,
    requiredScopes: event.requiredScopes,
    grantedScopes: event.grantedScopes,
    cacheHit: event.cacheHit,
    dryRun: event.dryRun,
  };
}

const CASES: readonly ConformanceCase[] = [
  ...BASE_CASES,
  ...POLICY_CASES,
  ...STORE_CASES,
  ...TOKEN_CASES,
  ...WIRING_CASES,
  ...DPOP_CASES,
];

/** Whether the route label may differ between adapters (per framework, or not asserted at all). */
function perFramework(route: ExpectedAudit['route']): route is RouteByFramework | null {
  return typeof route === 'object';
}

/** The expected audit event as `target` must show it (without `route` when it is not asserted). */
function auditFor(expected: ExpectedAudit, target: string): Partial<ExpectedAudit> {
  const { route, ...rest } = expected;
  if (route === null) return rest;
  if (!perFramework(route)) return expected;
  // Nest routes through its platform's own router: its route labels are the platform's.
  const framework = target.split('/')[0]?.replace(/^nest-/, '') as keyof RouteByFramework;
  return { ...rest, route: route[framework] };
}

/** What is compared between targets: everything observed but the raw body and headers. */
type Observation = Omit<ReturnType<typeof observe>, 'body' | 'headerValues'>;

/** Interprets one exchange: a strict parse of the challenge, the body's error, the single audit event. */
function observe(exchange: Exchange, context: string, expectsAudit = true) {
  const { response } = exchange;
  const challenges = response.headers['www-authenticate'] ?? [];
  expect(challenges.length, `${context}: at most one WWW-Authenticate`).toBeLessThanOrEqual(1);
  // B-11: every emitted challenge parses with a strict RFC 9110 §11.6.1 parser.
  const parsed = challenges[0] === undefined ? [] : parseChallenges(challenges[0]);
  // A Bearer challenge, and a DPoP one after it where the guard accepts DPoP (RFC 9449 §7.2).
  expect(parsed.map((entry) => entry.scheme)).toEqual(
    parsed.length === 0 ? [] : ['Bearer', 'DPoP'].slice(0, parsed.length),
  );
  const dpop = parsed[1];
  let bodyError: string | null = null;
  const contentType = response.headers['content-type']?.[0] ?? '';
  if (contentType.startsWith('application/json')) {
    const body = JSON.parse(response.body) as { error?: unknown; error_description?: unknown };
    if (typeof body.error_description === 'string' && typeof body.error === 'string') bodyError = body.error;
  }
  // One audit event per decided request; none for what is answered before any decision (RFC 9728 document).
  expect(exchange.audit.length, `${context}: exactly one audit event per request`).toBe(expectsAudit ? 1 : 0);
  const event = exchange.audit[0];
  return {
    status: response.status,
    challenge: parsed[0] ? { ...parsed[0].params } : null,
    dpopChallenge: dpop ? { ...dpop.params } : null,
    bodyError,
    handlerRan: exchange.handlerRan,
    headers: {
      cacheControl: response.headers['cache-control'] ?? [],
      contentType: bodyError ? (response.headers['content-type'] ?? []) : [],
      retryAfter: (response.headers['retry-after'] ?? []).length,
    },
    audit: event ? normaliseAudit(event) : null,
    handlerTimed: typeof event?.handlerDurationMs === 'number',
    body: response.body,
    headerValues: response.headers,
  };
}

/** A: no window of the token (16 characters) appears in the response or the audit event. */
function expectNoTokenLeak(token: string | undefined, exchange: Exchange): void {
  if (!token) return;
  const seen = JSON.stringify([exchange.response, exchange.audit]);
  for (let start = 0; start + 16 <= token.length; start += 4) {
    const window = token.slice(start, start + 16);
    expect(seen.includes(window), `token characters ${start}…${start + 16} leaked`).toBe(false);
  }
}

let fixture: Fixture;
/** The targets of each guard profile the cases use. */
const targetsByProfile = new Map<ProfileName, Target[]>();
/** Frameworks that refused to start under a profile, with their error. */
const startupErrors = new Map<ProfileName, Map<string, unknown>>();
/** Each case × target pair that did not run, with the capability the target lacks. */
const notApplicable: string[] = [];

beforeAll(async () => {
  fixture = await createFixture();
  for (const name of new Set(CASES.map((testCase) => testCase.profile ?? 'default'))) {
    const errors = new Map<string, unknown>();
    startupErrors.set(name, errors);
    targetsByProfile.set(name, await createTargets(fixture, PROFILES[name], errors));
  }
});

afterAll(async () => {
  await Promise.all([...targetsByProfile.values()].flat().map((target) => target.close()));
  await fixture.close();
});

function toRequest(testCase: ConformanceCase, token: string | undefined): WireRequest {
  const fill = (text: string) => (token === undefined ? text : text.replaceAll('{token}', token));
  return {
    method: testCase.method,
    target: fill(testCase.target),
    headers: (testCase.headers ?? []).map(([name, value]) => [name, fill(value)] as const),
  };
}

describe('conformance: core, express, koa, fastify, hono, a fetch handler and Nest on Express and Fastify (in-process, HTTP, HTTPS)', () => {
  it.each(CASES.map((testCase, index) => [testCase.name, testCase, index] as const))(
    '%s',
    async (_name, testCase, index) => {
      const token = testCase.token ? fixture.mint(testCase.token) : undefined;
      const request = toRequest(testCase, token);
      const adapters: { target: string; observation: Observation }[] = [];
      let core: Observation | undefined;
      for (const target of targetsByProfile.get(testCase.profile ?? 'default') ?? []) {
        const missing = (testCase.needs ?? []).filter((need) => !target.capabilities.includes(need));
        if (missing.length > 0) {
          notApplicable.push(`${target.name} × ${testCase.name}: lacks ${missing.join(', ')}`);
          continue;
        }
        const sent = await dpopRequest(testCase, token, request, target, String(index), fixture);
        const exchange = await target.run(sent, String(index), testCase.expect.audit ? undefined : 100);
        expectNoTokenLeak(token, exchange);
        const context = `${target.name}: ${testCase.name}`;
        const { expect: expected } = testCase;
        const { body, headerValues, ...observation } = observe(exchange, context, expected.audit !== null);
        if (expected.json !== undefined) expect(JSON.parse(body), context).toEqual(expected.json);
        for (const [name, value] of Object.entries(expected.headers ?? {})) {
          expect(headerValues[name], `${context}: ${name}`).toEqual([value]);
        }
        expect(observation.status, context).toBe(expected.status);
        expect(observation.challenge, context).toEqual(expected.challenge);
        expect(observation.dpopChallenge, context).toEqual(expected.dpopChallenge ?? null);
        for (const [name, pattern] of Object.entries(expected.headerPatterns ?? {})) {
          expect(headerValues[name], `${context}: ${name}`).toEqual([expect.stringMatching(pattern)]);
        }
        expect(observation.bodyError, context).toBe(expected.bodyError);
        expect(observation.handlerRan, context).toBe(expected.handlerRan);
        if (expected.audit) {
          const audit = auditFor(expected.audit, target.name);
          expect(observation.audit, context).toMatchObject({ ...audit, status: expected.status });
        }
        if (expected.bodyError) {
          expect(observation.headers.cacheControl, context).toEqual(['no-store']);
          expect(observation.headers.contentType, context).toEqual(['application/json; charset=utf-8']);
          expect(observation.headers.retryAfter, context).toBe(expected.status === 503 ? 1 : 0);
        }
        if (target.name === 'core') core = observation;
        else {
          // The handler's duration is recorded exactly when the handler ran.
          if (expected.audit) {
            expect(observation.handlerTimed, context).toBe(expected.handlerTimed ?? expected.handlerRan);
          }
          adapters.push({ target: target.name, observation });
        }
      }
      // Where the routers differ in what a path reaches, the route label may too; nothing else may.
      const labelled = perFramework(testCase.expect.audit?.route);
      // A different route may carry a different requirement, which the audit event names.
      const comparable = (entry: (typeof adapters)[number]) => {
        const audit = entry.observation.audit;
        if (!labelled || !audit) return entry;
        const unlabelled = { ...audit, route: '', requirement: '', requiredScopes: undefined };
        // Not asserted at all: the in-process transport resolved the path before the app saw it.
        if (testCase.expect.audit?.route === null) unlabelled.path = '';
        return { ...entry, observation: { ...entry.observation, audit: unlabelled } };
      };
      const [first, ...others] = adapters.map(comparable);
      for (const other of others)
        expect(other, 'identical on every adapter').toEqual({ ...first, target: other.target });
      if (core && first) {
        const { handlerTimed: _core, headers: _coreHeaders, ...coreView } = core;
        const { handlerTimed: _adapter, headers: _adapterHeaders, ...adapterView } = first.observation;
        expect(coreView, 'the core decides what the adapters deliver').toEqual(adapterView);
      }
    },
  );

  it('every framework starts under every profile, except where a profile says it must refuse', () => {
    for (const [name, errors] of startupErrors) {
      const expected = PROFILES[name].refusesToStart;
      expect([...errors.keys()], name).toEqual(expected ? expected.frameworks : []);
      // Fastify refuses to start in strict mode when a route declares nothing (on each transport's app).
      for (const framework of expected?.frameworks ?? []) {
        expect(errors.get(framework)).toMatchObject({ code: 'ERR_CONFIG', problems: [expected?.problem] });
      }
    }
  });

  it('runs every adapter, Nest on both platforms included, over every transport', () => {
    const names = (targetsByProfile.get('default') ?? []).map((target) => target.name);
    for (const framework of ALL_FRAMEWORKS) {
      for (const transport of TRANSPORTS) expect(names).toContain(`${framework}/${transport}`);
    }
  });

  it('records what a target cannot do instead of differing silently', () => {
    const routed = CASES.filter((testCase) => testCase.needs?.includes('routing')).map((c) => c.name);
    // The core and the plain fetch handler take the route table as data: no router to look ahead through.
    const unrouted = ['core', 'fetch/inject', 'fetch/http', 'fetch/https'];
    expect(notApplicable).toEqual(
      routed.flatMap((name) => unrouted.map((target) => `${target} × ${name}: lacks routing`)),
    );
  });
});
