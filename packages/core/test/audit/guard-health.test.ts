/**
 * guard.health(): the one answer a readiness probe reads — issuers' keys, audit sinks, stores.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { STORE_RECOVERY_MS } from '../../src/audit/guard-health.js';
import { createGuard } from '../../src/index.js';
import { failingCounters } from '../fixtures/failing-counters.js';
import { AUDIENCE, Cleanup, ISSUER, startRig } from '../fixtures/remote-rig.js';
import { testKey } from '../support.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('guard.health()', () => {
  it('is ready with usable keys, and not before the keys are loaded or once they are unusable', async () => {
    const rig = await startRig(cleanup);
    expect(rig.guard.health()).toMatchObject({
      ready: false,
      issuers: [{ issuer: ISSUER, state: 'not-loaded' }],
    });
    await rig.guard.ready();
    expect(rig.guard.health()).toMatchObject({ ready: true, issuers: [{ state: 'fresh' }], stores: [] });
    rig.server.setMode('down');
    rig.clock.advance(600_001 + 3_600_000);
    await rig.evaluate(rig.mint());
    const health = rig.guard.health();
    expect(health.ready).toBe(false);
    expect(health.issuers[0]).toMatchObject({ state: 'unusable', lastFailure: { code: 'http-status' } });
  });

  it('a store that faulted is failing for 30 s after its last fault, then ok again', async () => {
    const { guard, clock, facts } = failingCounters({ logger: false });
    expect(guard.health().ready).toBe(true);
    await guard.evaluate(facts);
    expect(guard.health()).toMatchObject({
      ready: false,
      stores: [
        {
          store: 'counters',
          state: 'failing',
          faults: 1,
          lastFault: { code: 'ERR_LIMITS_UNAVAILABLE', cause: 'TypeError' },
        },
      ],
    });
    clock.now += STORE_RECOVERY_MS;
    expect(guard.health()).toMatchObject({
      ready: true,
      stores: [{ store: 'counters', state: 'ok', faults: 1 }],
    });
    await guard.close();
  });

  it('an audit sink that stopped taking records makes the instance not ready', async () => {
    const guard = createGuard({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [testKey().jwk] }],
      logger: false,
      audit: {
        failClosed: true,
        maxUnconfirmedRecords: 1,
        sinks: [{ name: 'stuck', write: () => new Promise(() => {}) }],
      },
    });
    for (let i = 0; i < 3; i += 1) await guard.evaluate({ method: 'GET', target: '/', headers: {} });
    expect(guard.health()).toMatchObject({ ready: false, sinks: [{ sink: 'stuck', healthy: false }] });
    await guard.flushAudit(10).catch(() => {});
  });
});
