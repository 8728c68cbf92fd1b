/**
 * The promise of `audit.failClosed` under load: an allow is granted only while every sink confirms records
 * within `maxUnconfirmedRecords` and `maxUnconfirmedMs`. A bounded load loop (concurrent clients, each
 * request decided with deferred audit and recorded when its "response" ends, as the adapters do) runs
 * against a sink that hangs, one that is slow, one whose writes fail, and a healthy one. Asserted: the
 * allows never confirmed stay within the record bound plus the requests in flight, the first 503 comes
 * within the time bound, and a healthy sink is never refused. `FIGURES=1` prints the measured figures
 * (quoted in docs/operations.md).
 */
import { bearer } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import type { AuditRecord, AuditSink, Decision } from '../../src/index.js';
import { monitoredGuard } from './helpers.js';

const CONCURRENCY = 32;
const DURATION_MS = 1500;
const MAX_RECORDS = 256;
const MAX_MS = 500;

interface Figures {
  readonly sink: string;
  readonly requests: number;
  readonly allowed: number;
  readonly allowedBeforeFirst503: number;
  readonly msToFirst503: number | undefined;
  /** Most allows granted but not (yet) confirmed written at any one time. */
  readonly maxUnconfirmedAllows: number;
  /** Allows whose record no sink ever confirmed (after a final flush). */
  readonly allowedNeverRecorded: number;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Behaviour = (batch: readonly AuditRecord[]) => void | Promise<void>;

const allowsIn = (batch: readonly AuditRecord[]) =>
  batch.filter((record) => record.type === 'decision' && record.outcome === 'allow').length;

/** The load: concurrent clients, each pausing `pauseMs` between requests (0: as fast as possible). */
interface Load {
  readonly clients: number;
  readonly pauseMs: number;
}
const FLAT_OUT: Load = { clients: CONCURRENCY, pauseMs: 0 };

async function measure(name: string, behaviour: Behaviour, load: Load = FLAT_OUT): Promise<Figures> {
  let confirmed = 0;
  const sink: AuditSink = {
    name,
    async write(batch) {
      await behaviour(batch);
      confirmed += allowsIn(batch);
    },
  };
  const { guard, mint } = monitoredGuard({ audit: { sinks: [sink], failClosed: true } });
  const token = mint();
  const started = performance.now();
  let requests = 0;
  let allowed = 0;
  let allowedBeforeFirst503 = 0;
  let msToFirst503: number | undefined;
  let maxUnconfirmedAllows = 0;

  async function client(): Promise<void> {
    while (performance.now() - started < DURATION_MS) {
      const decision: Decision = await guard.evaluate(bearer(token), undefined, { deferAudit: true });
      requests += 1;
      if (decision.outcome === 'allow') {
        allowed += 1;
        if (msToFirst503 === undefined) allowedBeforeFirst503 += 1;
        maxUnconfirmedAllows = Math.max(maxUnconfirmedAllows, allowed - confirmed);
      } else if (msToFirst503 === undefined) {
        expect(decision.code).toBe('ERR_AUDIT_UNAVAILABLE');
        expect(decision.headers['retry-after']).toBe('5');
        msToFirst503 = performance.now() - started;
      }
      // The handler runs and the response ends a turn later; then the adapter records the event.
      await new Promise((resolve) => setImmediate(resolve));
      guard.recordAudit(decision, { status: decision.outcome === 'allow' ? 200 : decision.status });
      if (load.pauseMs > 0) await pause(load.pauseMs);
    }
  }

  await Promise.all(Array.from({ length: load.clients }, client));
  await guard.flushAudit(1000);
  const figures: Figures = {
    sink: name,
    requests,
    allowed,
    allowedBeforeFirst503,
    msToFirst503: msToFirst503 === undefined ? undefined : Math.round(msToFirst503),
    maxUnconfirmedAllows,
    allowedNeverRecorded: allowed - confirmed,
  };
  if (process.env.FIGURES) console.log(JSON.stringify({ ...figures, ...load }));
  void guard.close();
  return figures;
}

/** Requests in flight when the sink broke may still be granted: one per concurrent client. */
const RECORD_BOUND = MAX_RECORDS + CONCURRENCY;
/** The time bound, plus room for a busy machine (two cores shared by several test runs). */
const TIME_BOUND_MS = MAX_MS + 400;

describe('fail-closed audit under load: the unrecorded-allow window is bounded', () => {
  it('a hanging sink: at most maxUnconfirmedRecords (+ in flight) allows, 503 within maxUnconfirmedMs', async () => {
    const figures = await measure('hanging', () => new Promise<void>(() => {}));
    expect(figures.msToFirst503).toBeDefined();
    expect(figures.msToFirst503).toBeLessThanOrEqual(TIME_BOUND_MS);
    expect(figures.allowedBeforeFirst503).toBeLessThanOrEqual(RECORD_BOUND);
    // Nothing is ever written: every allow of the run is unrecorded, and there are few of them.
    expect(figures.allowed).toBeLessThanOrEqual(RECORD_BOUND);
    expect(figures.allowedNeverRecorded).toBe(figures.allowed);
  });

  it('a hanging sink at a low rate (one client, ~100 requests/s): 503 once maxUnconfirmedMs passes', async () => {
    const figures = await measure('hanging', () => new Promise<void>(() => {}), { clients: 1, pauseMs: 10 });
    expect(figures.msToFirst503).toBeGreaterThanOrEqual(MAX_MS);
    expect(figures.msToFirst503).toBeLessThanOrEqual(TIME_BOUND_MS);
    expect(figures.allowed).toBeLessThan(MAX_RECORDS);
  });

  it('a slow sink (50 ms per write): the unconfirmed allows stay within the bound', async () => {
    const figures = await measure('slow', () => pause(50));
    expect(figures.msToFirst503).toBeDefined();
    expect(figures.maxUnconfirmedAllows).toBeLessThanOrEqual(RECORD_BOUND);
    // Slow is not lossy: once flushed, every allow was recorded.
    expect(figures.allowedNeverRecorded).toBe(0);
  });

  it('a sink whose writes fail: the allows whose records were lost stay within the bound', async () => {
    const figures = await measure('failing', () => {
      throw new Error('disk full');
    });
    expect(figures.msToFirst503).toBeDefined();
    expect(figures.allowedNeverRecorded).toBeLessThanOrEqual(RECORD_BOUND);
    expect(figures.allowed).toBeLessThanOrEqual(RECORD_BOUND);
  });

  it('a healthy sink under the same load is never refused', async () => {
    const figures = await measure('healthy', () => {});
    expect(figures.msToFirst503).toBeUndefined();
    expect(figures.allowed).toBe(figures.requests);
    expect(figures.allowedNeverRecorded).toBe(0);
  });
});
