/**
 * The DPoP replay store (RFC 9449 §11.1): its contract on the in-process store, and the guard failing
 * closed when a store is full, throws, rejects or hangs — 503 `ERR_DPOP_REPLAY_UNAVAILABLE` with
 * `Retry-After`, counted and published on the store-fault channel, never a 500 and never an allow.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, describe, expect, it } from 'vitest';
import { replayKey } from '../../src/bind/replay-store.js';
import type { MetricsRecorder } from '../../src/index.js';
import {
  createMemoryDpopReplayStore,
  type DpopReplayStore,
  DpopReplayStoreFullError,
} from '../../src/policy.js';
import { STORE_FAULT_CHANNEL, type StoreFaultReport } from '../../src/sinks.js';
import { expectAllow, expectDeny } from '../support.js';
import { dpopHarness } from './dpop-support.js';

const published: StoreFaultReport[] = [];
const listener = (message: unknown) => published.push(message as StoreFaultReport);
subscribe(STORE_FAULT_CHANNEL, listener);
afterAll(() => unsubscribe(STORE_FAULT_CHANNEL, listener));

describe('the in-process replay store', () => {
  it('remembers a key until it expires, then forgets it', () => {
    const store = createMemoryDpopReplayStore();
    expect(store.checkAndRemember('k', 110, 100)).toBe(true);
    expect(store.checkAndRemember('k', 110, 109)).toBe(false);
    expect(store.checkAndRemember('k', 130, 110)).toBe(true);
    expect(store.checkAndRemember('k', 130, 120)).toBe(false);
  });

  it('when full of live entries it throws rather than forget one; expired entries make room', () => {
    const store = createMemoryDpopReplayStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c'])
      expect(store.checkAndRemember(key, 200 + key.charCodeAt(0), 100)).toBe(true);
    expect(() => store.checkAndRemember('d', 300, 100)).toThrow(DpopReplayStoreFullError);
    // Every live entry is still there.
    for (const key of ['a', 'b', 'c']) expect(store.checkAndRemember(key, 300, 150)).toBe(false);
    // Once 'b' (expiry 298) and 'a' (297) have expired, new keys fit again.
    expect(store.checkAndRemember('d', 400, 298)).toBe(true);
    expect(store.checkAndRemember('e', 400, 298)).toBe(true);
    expect(() => store.checkAndRemember('f', 400, 298)).toThrow(DpopReplayStoreFullError);
  });

  it('replay keys are fixed-size hashes of key thumbprint and jti, distinct per client', () => {
    const a = replayKey('thumb-a', 'jti-1');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(replayKey('thumb-b', 'jti-1')).not.toBe(a);
    expect(replayKey('thumb-a\njti', '1')).not.toBe(replayKey('thumb-a', 'jti\n1'));
  });
});

describe('a replay store that cannot answer fails closed', () => {
  const broken: readonly [string, DpopReplayStore][] = [
    ['is full', createMemoryDpopReplayStore({ maxEntries: 1 })],
    [
      'throws',
      {
        checkAndRemember: () => {
          throw new TypeError('connection reset');
        },
      },
    ],
    ['rejects', { checkAndRemember: () => Promise.reject(new Error('READONLY replica')) }],
    ['hangs', { checkAndRemember: () => new Promise<boolean>(() => {}) }],
    ['answers nonsense', { checkAndRemember: () => Promise.resolve('OK' as unknown as boolean) }],
  ];

  it.each(broken)(
    'a store that %s → 503 ERR_DPOP_REPLAY_UNAVAILABLE, Retry-After, counted and published',
    async (name, store) => {
      const counted: StoreFaultReport[] = [];
      const recorder: MetricsRecorder = { storeFault: (report) => counted.push(report) };
      const h = await dpopHarness({ replay: { store, timeoutMs: 50 } }, { guard: { metrics: [recorder] } });
      published.length = 0;
      if (name === 'is full') {
        const first = h.mintBound();
        expectAllow(await h.call(first, h.proof({ accessToken: first })));
      }
      const token = h.mintBound();
      const denied = expectDeny(
        await h.call(token, h.proof({ accessToken: token })),
        'ERR_DPOP_REPLAY_UNAVAILABLE',
        503,
      );
      expect(denied.headers['retry-after']).toBe('5');
      expect(denied.headers['www-authenticate']).toBeUndefined();
      expect(denied.body.error).toBe('temporarily_unavailable');
      const report = { store: 'dpop-replay', code: 'ERR_DPOP_REPLAY_UNAVAILABLE', failedOpen: false };
      expect(counted).toEqual([expect.objectContaining(report)]);
      expect(published).toEqual([expect.objectContaining(report)]);
    },
  );

  it('a shared (asynchronous) store that answers is used like the in-process one', async () => {
    const seen = new Map<string, number>();
    const store: DpopReplayStore = {
      async checkAndRemember(key, expiresAt, now) {
        const known = seen.get(key);
        if (known !== undefined && known > now) return false;
        seen.set(key, expiresAt);
        return true;
      },
    };
    const h = await dpopHarness({ replay: { store } });
    const token = h.mintBound();
    const proof = h.proof({ accessToken: token });
    expectAllow(await h.call(token, proof));
    expectDeny(await h.call(token, proof), 'ERR_DPOP_PROOF_REPLAYED');
    expect([...seen.values()]).toEqual([Math.floor(h.clock.seconds) + 301]);
  });
});
