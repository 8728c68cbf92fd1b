/**
 * Set-up shared by the monitoring tests: the core harness (a guard trusting one issuer with a static key,
 * on a settable clock) under the monitoring tests' issuer, plus sinks that collect records or misbehave
 * on purpose (slow, failing, switchable).
 */
import { bearer, type FactsInput, requestFacts } from '@nevertrust/testkit';
import type { AuditRecord, AuditSink, Guard, GuardOptions } from '../../src/index.js';
import { harness } from '../support.js';

export const ISSUER = 'https://idp.monitoring.test/';
export const AUDIENCE = 'https://api.monitoring.test';
/** Simulated start time, in milliseconds. */
export const START_MS = 1_750_000_000_000;

export interface MonitoredGuard {
  readonly guard: Guard;
  readonly clock: { ms: number };
  /** Mints a valid token at the clock's time; `sub`/`client_id`/`jti` may be overridden. */
  readonly mint: (claims?: Record<string, unknown>) => string;
  /** Evaluates `Authorization: Bearer <token>` with the given facts. */
  readonly call: (token: string | undefined, input?: FactsInput) => ReturnType<Guard['evaluate']>;
}

/** A guard on a simulated clock, with `options` added to the harness's. */
export function monitoredGuard(options: Partial<GuardOptions> = {}): MonitoredGuard {
  const { guard, clock, mint } = harness({
    issuerId: ISSUER,
    audience: AUDIENCE,
    start: START_MS / 1000,
    guard: options,
  });
  return {
    guard,
    clock,
    mint: (claims = {}) => mint({ claims }),
    call: (token, input = {}) =>
      guard.evaluate(token === undefined ? requestFacts(input) : bearer(token, input), undefined),
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
