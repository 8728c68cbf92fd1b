/**
 * Store faults take one path: a revocation store or a counter store (rate limits, detectors) that throws,
 * rejects, or hangs past its bound refuses the request with 503, `Retry-After` and the store's own code,
 * counted by store and published on the `nevertrust:store-fault` diagnostics channel — never a 500, never
 * an allow. Only the counters may be failed open, by the operator's explicit choice, and that is counted
 * and published too. Revocation never fails open (checklist A10, A11).
 */
import { subscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  type CounterStore,
  createMemoryCounterStore,
  createMemoryRevocationStore,
  type Decision,
  type GuardOptions,
  type MetricsRecorder,
  type RevocationStore,
} from '../../src/index.js';
import { STORE_FAULT_CHANNEL, type StoreFaultReport } from '../../src/sinks.js';
import { monitoredGuard } from '../audit/helpers.js';

type Mode = 'throws' | 'rejects' | 'hangs';
const MODES: readonly Mode[] = ['throws', 'rejects', 'hangs'];

/** What a broken store call does: throw synchronously, reject, or never settle. */
function broken(mode: Mode): never | Promise<never> {
  if (mode === 'throws') throw new TypeError('connection reset');
  if (mode === 'rejects') return Promise.reject(new Error('READONLY replica'));
  return new Promise<never>(() => {});
}

/** A counter store whose every method misbehaves as `mode` says. */
function brokenCounterStore(mode: Mode): CounterStore {
  return {
    increment: () => broken(mode),
    distinct: () => broken(mode),
    setFlag: () => broken(mode),
    flag: () => broken(mode),
  };
}

function brokenRevocationStore(mode: Mode): RevocationStore {
  const inner = createMemoryRevocationStore();
  return { add: (entry, now) => inner.add(entry, now), find: () => broken(mode) };
}

const published: StoreFaultReport[] = [];
const listener = (message: unknown) => published.push(message as StoreFaultReport);
subscribe(STORE_FAULT_CHANNEL, listener);
afterEach(() => {
  published.length = 0;
});

/** A guard with `options`, a metrics recorder counting store faults, and a short store bound. */
function faultyGuard(options: Partial<GuardOptions>) {
  const counted: StoreFaultReport[] = [];
  const recorder: MetricsRecorder = { storeFault: (report) => counted.push(report) };
  const harness = monitoredGuard({ metrics: [recorder], ...options });
  return { ...harness, counted };
}

function expectUnavailable(decision: Decision, code: string): void {
  if (decision.outcome !== 'deny') expect.fail(`expected 503 ${code}, got allow`);
  expect(decision.code).toBe(code);
  expect(decision.status).toBe(503);
  expect(decision.headers['retry-after']).toBe('5');
  expect(decision.headers['www-authenticate']).toBeUndefined();
  expect(decision.body.error).toBe('temporarily_unavailable');
  expect(decision.audit).toMatchObject({ outcome: 'deny', reason: code, status: 503 });
}

describe('store faults: one path, 503 + Retry-After + a code per store, never 500', () => {
  for (const mode of MODES) {
    it(`A10 a revocation store that ${mode} refuses with 503 ERR_REVOCATION_UNAVAILABLE, counted and published`, async () => {
      const { mint, call, counted } = faultyGuard({
        revocation: { store: brokenRevocationStore(mode), timeoutMs: 50 },
      });
      const started = performance.now();
      const decision = await call(mint());
      expectUnavailable(decision, 'ERR_REVOCATION_UNAVAILABLE');
      if (mode === 'hangs') {
        expect(performance.now() - started).toBeLessThan(1000);
        expect(decision.audit.detail).toBe('revocation store timed out');
      }
      const report = {
        store: 'revocation',
        code: 'ERR_REVOCATION_UNAVAILABLE',
        cause: mode === 'hangs' ? 'timeout' : mode === 'throws' ? 'TypeError' : 'Error',
        failedOpen: false,
      };
      expect(counted).toEqual([report]);
      expect(published).toEqual([report]);
    });

    it(`a counter store that ${mode} before verification (peer limit) refuses with 503 ERR_LIMITS_UNAVAILABLE`, async () => {
      const { mint, call, counted } = faultyGuard({
        counterStore: brokenCounterStore(mode),
        counterStoreFaults: { timeoutMs: 50 },
        rateLimits: [{ by: 'peer', limit: 100, windowSeconds: 60 }],
      });
      const decision = await call(mint());
      expectUnavailable(decision, 'ERR_LIMITS_UNAVAILABLE');
      expect(counted).toMatchObject([
        { store: 'counters', code: 'ERR_LIMITS_UNAVAILABLE', failedOpen: false },
      ]);
      expect(published).toHaveLength(1);
    });

    it(`a counter store that ${mode} after verification (principal limit, detectors) refuses an allow with 503`, async () => {
      const { mint, call } = faultyGuard({
        counterStore: brokenCounterStore(mode),
        counterStoreFaults: { timeoutMs: 50 },
        rateLimits: [{ by: 'principal', limit: 100, windowSeconds: 60 }],
        detectors: { tokenSpread: true },
      });
      const decision = await call(mint());
      expectUnavailable(decision, 'ERR_LIMITS_UNAVAILABLE');
      // The request's own identity is kept in the record of the refusal.
      expect(decision.audit.subject).toBeDefined();
    });
  }

  it('a refusal stays what it was when only the detectors cannot count it (no 503 masks a 401)', async () => {
    const { call, counted } = faultyGuard({
      counterStore: brokenCounterStore('rejects'),
      detectors: { authFailureBurst: true },
    });
    const decision = await call('not-a-token', { remoteAddress: '203.0.113.7' });
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_TOKEN_MALFORMED');
    expect(counted).toHaveLength(1);
  });

  it('counterStoreFaults.failOpen lets requests through unlimited, each fault counted and published', async () => {
    const { mint, call, counted } = faultyGuard({
      counterStore: brokenCounterStore('hangs'),
      counterStoreFaults: { failOpen: true, timeoutMs: 20 },
      rateLimits: [
        { by: 'peer', limit: 1, windowSeconds: 60 },
        { by: 'principal', limit: 1, windowSeconds: 60 },
      ],
    });
    const token = mint();
    for (let index = 0; index < 3; index += 1) expect((await call(token)).outcome).toBe('allow');
    // Two stores calls per request (peer before, principal after verification), each failed open.
    expect(counted).toHaveLength(6);
    expect(counted.every((report) => report.failedOpen && report.cause === 'timeout')).toBe(true);
    expect(published).toHaveLength(6);
  });

  it('failing the counters open never opens revocation', async () => {
    const { mint, call } = faultyGuard({
      counterStore: brokenCounterStore('rejects'),
      counterStoreFaults: { failOpen: true },
      rateLimits: [{ by: 'peer', limit: 100, windowSeconds: 60 }],
      revocation: { store: brokenRevocationStore('rejects') },
    });
    expectUnavailable(await call(mint()), 'ERR_REVOCATION_UNAVAILABLE');
  });

  it('revocation has no fail-open option: it is refused at start-up', () => {
    expect(() =>
      monitoredGuard({ revocation: { failOpen: true } as unknown as GuardOptions['revocation'] }),
    ).toThrow(ConfigError);
    expect(() => monitoredGuard({ counterStoreFaults: { timeoutMs: 0 } })).toThrow(
      /counterStoreFaults.timeoutMs/,
    );
  });

  it('a store that answers within its bound changes nothing, and a slow one past it is a fault', async () => {
    const inner = createMemoryCounterStore();
    let delayMs = 0;
    const slow: CounterStore = {
      ...inner,
      increment: async (...args) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return inner.increment(...args);
      },
    };
    const { mint, call, counted } = faultyGuard({
      counterStore: slow,
      counterStoreFaults: { timeoutMs: 200 },
      rateLimits: [{ by: 'peer', limit: 100, windowSeconds: 60 }],
    });
    expect((await call(mint())).outcome).toBe('allow');
    delayMs = 400;
    expectUnavailable(await call(mint()), 'ERR_LIMITS_UNAVAILABLE');
    expect(counted).toMatchObject([{ cause: 'timeout' }]);
  });

  it('a throwing metrics recorder does not turn the 503 into a 500', async () => {
    const { mint, call } = monitoredGuard({
      metrics: [
        {
          storeFault: () => {
            throw new Error('recorder bug');
          },
        },
      ],
      revocation: { store: brokenRevocationStore('rejects') },
    });
    expectUnavailable(await call(mint()), 'ERR_REVOCATION_UNAVAILABLE');
  });
});
