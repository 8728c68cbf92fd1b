/**
 * Targets that each need their own guard, to act on it while requests flow (withdraw a key, receive a
 * logout): the core, and each adapter on each transport, with the guard handed to the adapter
 * (`{ guard }`). Each target sends `GET /api/orders` with a bearer token and reports the response, whether
 * the handler ran and the decision's one audit event; the suites add what they need on top.
 */
import type { AuditEvent, AuditRecord, Guard, RequestFacts } from '@nevertrust/core';
import { expect } from 'vitest';
import { ALL_FRAMEWORKS, buildApp, loadControllers } from './apps.js';
import { connectApp } from './fetch-transport.js';
import { toWireResponse } from './targets.js';
import { type Client, TRANSPORTS, type WireResponse } from './transport.js';

/** One target and its own guard. */
export interface OwnGuardTarget {
  /** `core`, or `framework/transport`. */
  readonly name: string;
  readonly guard: Guard;
  /** Every record the guard's audit sink received. */
  readonly records: AuditRecord[];
  readonly events: AuditEvent[];
  /** The client of the adapter's app; absent for the core. */
  readonly client: Client | undefined;
  /** `GET /api/orders` with `token`: the response, whether a handler ran, and the decision's audit event. */
  call(token: string): Promise<{ response: WireResponse; handlerRan: boolean; audit: AuditEvent }>;
  close(): Promise<void>;
}

/** Waits (bounded) for the one audit event of a request: adapters record it when the response ends. */
async function nextEvent(events: AuditEvent[], start: number): Promise<AuditEvent> {
  const deadline = Date.now() + 2000;
  while (events.length === start && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  expect(events.length - start).toBe(1);
  return events[start] as AuditEvent;
}

/**
 * The core and the fifteen adapter targets, each with a guard from `newGuard`.
 *
 * @example
 * ```ts
 * const targets = await ownGuardTargets('withdrawal', (records, events) => createGuard({ … }));
 * ```
 */
export async function ownGuardTargets(
  prefix: string,
  newGuard: (records: AuditRecord[], events: AuditEvent[]) => Guard,
): Promise<OwnGuardTarget[]> {
  const ran = new Set<string>();
  const controllers = await loadControllers((tag) => tag && ran.add(tag));
  const targets: OwnGuardTarget[] = [];
  let sequence = 0;
  {
    const records: AuditRecord[] = [];
    const events: AuditEvent[] = [];
    const guard = newGuard(records, events);
    targets.push({
      name: 'core',
      guard,
      records,
      events,
      client: undefined,
      async call(token) {
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
  for (const framework of ALL_FRAMEWORKS) {
    for (const transport of TRANSPORTS) {
      const records: AuditRecord[] = [];
      const events: AuditEvent[] = [];
      const guard = newGuard(records, events);
      const app = await buildApp(framework, { guard }, (tag) => tag && ran.add(tag), controllers, transport);
      const client = await connectApp(app, transport);
      targets.push({
        name: `${framework}/${transport}`,
        guard,
        records,
        events,
        client,
        async call(token) {
          sequence += 1;
          const tag = `${prefix}-${sequence}`;
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
  return targets;
}
