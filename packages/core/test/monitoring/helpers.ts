/**
 * Set-up shared by the monitoring tests: a guard trusting one issuer with a static key, on a settable
 * clock, plus sinks that collect records or misbehave on purpose (slow, failing, switchable).
 */
import {
  bearer,
  createTokenIssuer,
  type FactsInput,
  generateTestKey,
  type TestKey,
} from '@nevertrust/testkit';
import {
  type AuditRecord,
  type AuditSink,
  createGuard,
  type Guard,
  type GuardOptions,
} from '../../src/index.js';

export const ISSUER = 'https://idp.monitoring.test/';
export const AUDIENCE = 'https://api.monitoring.test';
/** Simulated start time, in milliseconds. */
export const START_MS = 1_750_000_000_000;

let sharedKey: TestKey | undefined;

/** One ES256 key per test file. */
export function testKey(): TestKey {
  sharedKey ??= generateTestKey('ES256', 'monitoring');
  return sharedKey;
}

export interface MonitoredGuard {
  readonly guard: Guard;
  readonly clock: { ms: number };
  /** Mints a valid token at the clock's time; `sub`/`client_id`/`jti` may be overridden. */
  readonly mint: (claims?: Record<string, unknown>) => string;
  /** Evaluates `Authorization: Bearer <token>` with the given facts. */
  readonly call: (token: string | undefined, input?: FactsInput) => ReturnType<Guard['evaluate']>;
}

/** A guard on a simulated clock, with OpenTelemetry off unless `options` says otherwise. */
export function monitoredGuard(options: Partial<GuardOptions> = {}): MonitoredGuard {
  const key = testKey();
  const clock = { ms: START_MS };
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
    clock: () => clock.ms,
    openTelemetry: false,
    ...options,
  });
  const issuer = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key, now: () => clock.ms / 1000 });
  const mint = (claims: Record<string, unknown> = {}) => issuer({ claims });
  return {
    guard,
    clock,
    mint,
    call: (token, input = {}) =>
      guard.evaluate(token === undefined ? bearerless(input) : bearer(token, input), undefined),
  };
}

function bearerless(input: FactsInput) {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers[name.toLowerCase()] = typeof value === 'string' ? [value] : [...value];
  }
  return {
    method: input.method ?? 'GET',
    target: input.target ?? '/orders',
    headers,
    remoteAddress: input.remoteAddress ?? '127.0.0.1',
    routeId: input.routeId,
  };
}

/** A sink that keeps every record it is given. */
export function collectingSink(name = 'collect'): AuditSink & { readonly records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return {
    name,
    records,
    write(batch) {
      records.push(...batch);
    },
  };
}

/** A sink whose writes fail while `failing` is true, and otherwise collect. */
export function switchableSink(name = 'switchable') {
  const records: AuditRecord[] = [];
  const state = { failing: true, attempts: 0 };
  const sink: AuditSink = {
    name,
    async write(batch) {
      state.attempts += 1;
      if (state.failing) throw new Error('disk full');
      records.push(...batch);
    },
  };
  return { sink, records, state };
}

/** A sink that takes `delayMs` per write (a slow network or disk). */
export function slowSink(delayMs: number, name = 'slow') {
  const records: AuditRecord[] = [];
  const sink: AuditSink = {
    name,
    async write(batch) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      records.push(...batch);
    },
  };
  return { sink, records };
}
