/**
 * The targets the cases run against: the core directly (facts in, decision out), and each adapter over
 * each transport. Every target has its own guard, so no target sees another's cached tokens.
 */
import { X509Certificate } from 'node:crypto';
import {
  type AuditEvent,
  createGuard,
  type Decision,
  type RequestFacts,
  type Requirement,
} from '@nevertrust/core';
import { API_ROUTES, type Capability } from './api.js';
import { buildApp, loadControllers, TARGET_FRAMEWORKS } from './apps.js';
import type { Fixture } from './fixture.js';
import { PROFILES, type Profile } from './profiles.js';
import {
  type Client,
  connect,
  TRANSPORTS,
  type Transport,
  type WireRequest,
  type WireResponse,
} from './transport.js';

/** What came back from one request, before interpretation. */
export interface Exchange {
  readonly response: WireResponse;
  readonly handlerRan: boolean;
  /** Audit events emitted for this request (exactly one is expected). */
  readonly audit: readonly AuditEvent[];
}

export interface Target {
  readonly name: string;
  readonly capabilities: readonly Capability[];
  /** `quietMs`: when no audit event is expected, how long to watch for a stray one. */
  run(request: WireRequest, caseId: string, quietMs?: number): Promise<Exchange>;
  close(): Promise<void>;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Waits (bounded) for the audit events a request causes; adapters record them when the response ends. */
async function eventsSince(
  events: readonly AuditEvent[],
  start: number,
  waitMs = 2000,
): Promise<AuditEvent[]> {
  const deadline = Date.now() + waitMs;
  while (events.length === start && Date.now() < deadline) await settle();
  await settle();
  return events.slice(start);
}

function matchRoute(method: string, target: string) {
  const path = target.split('?')[0] ?? '';
  for (const route of API_ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.template.split('/');
    const parts = path.split('/');
    if (pattern.length !== parts.length) continue;
    if (!pattern.every((part, i) => part.startsWith(':') || part === parts[i])) continue;
    const params: Record<string, string> = {};
    pattern.forEach((part, i) => {
      if (part.startsWith(':')) params[part.slice(1)] = parts[i] ?? '';
    });
    return { route, params };
  }
  return undefined;
}

/** What the core target "sends": a refusal as its status, headers and body; an allow as a bare 200. */
export function toWireResponse(decision: Decision): WireResponse {
  return decision.outcome === 'deny'
    ? {
        status: decision.status,
        headers: Object.fromEntries(Object.entries(decision.headers).map(([n, v]) => [n, [v]])),
        body: JSON.stringify(decision.body),
      }
    : { status: 200, headers: {}, body: '{}' };
}

/** The core on its own: the route table is data, facts are built the way adapters build them. */
async function coreTarget(fixture: Fixture, profile: Profile): Promise<Target> {
  const events: AuditEvent[] = [];
  const guard = createGuard(await profile.options(fixture.guardOptions((event) => events.push(event))));
  return {
    name: 'core',
    capabilities: [],
    async run(request) {
      const matched = matchRoute(request.method, request.target);
      if (!matched) throw new Error(`core target: no route for ${request.method} ${request.target}`);
      const headers: Record<string, string[]> = {};
      for (const [name, value] of request.headers) {
        const lower = name.toLowerCase();
        headers[lower] = [...(headers[lower] ?? []), value];
      }
      const certificate = request.clientCertificate;
      const facts: RequestFacts = {
        method: request.method,
        target: request.target,
        headers,
        remoteAddress: request.localAddress ?? '127.0.0.1',
        // A request that names a certificate is one over TLS (the core has no socket to read it from).
        ...(certificate
          ? { tls: { authorized: false, peerCertificate: new X509Certificate(certificate.cert).raw } }
          : {}),
        routeId: matched.route.template,
        params: matched.params,
      };
      const start = events.length;
      const requirement: Requirement | undefined = matched.route.requirement;
      const decision = await guard.evaluate(facts, requirement);
      const response = toWireResponse(decision);
      return { response, handlerRan: decision.outcome === 'allow', audit: events.slice(start) };
    },
    close: () => guard.close(),
  };
}

/**
 * Every adapter over every transport (or those given), each with its own guard and audit trail, configured
 * by `profile`.
 * A framework that refuses to start under the profile gets no targets; its start-up error is returned.
 */
export async function createTargets(
  fixture: Fixture,
  profile: Profile = PROFILES.default,
  startupErrors: Map<string, unknown> = new Map(),
  transports: readonly Transport[] = TRANSPORTS,
): Promise<Target[]> {
  // Handlers record the `x-case` header of the requests they serve.
  const ran = new Set<string>();
  const record = (tag: string | undefined) => {
    if (tag) ran.add(tag);
  };
  const controllers = await loadControllers(record);
  const targets: Target[] = [await coreTarget(fixture, profile)];
  for (const framework of TARGET_FRAMEWORKS) {
    for (const transport of transports) {
      const name = `${framework}/${transport}`;
      const events: AuditEvent[] = [];
      const options = await profile.options(fixture.guardOptions((event) => events.push(event)));
      let app: Awaited<ReturnType<typeof buildApp>>;
      try {
        app = await buildApp(framework, options, record, controllers);
      } catch (error) {
        startupErrors.set(framework, error);
        continue;
      }
      const client: Client = await connect(app.handler, transport);
      targets.push({
        name,
        capabilities: ['routing'],
        async run(request, caseId, quietMs) {
          const start = events.length;
          const tagged = {
            ...request,
            headers: [...request.headers, ['x-case', `${name}:${caseId}`] as const],
          };
          const response = await client.send(tagged);
          const audit = await eventsSince(events, start, quietMs);
          return { response, handlerRan: ran.has(`${name}:${caseId}`), audit };
        },
        async close() {
          await client.close();
          await app.close();
        },
      });
    }
  }
  return targets;
}
