/**
 * The signal senders' key sets in the key-set health report: the token issuer's entry says it verifies
 * logout tokens too (one key set), each Shared Signals transmitter has an entry of its own with its state,
 * age and last failure, in `guard.keys.health()` and `guard.health()`. A transmitter out of reach neither
 * fails `guard.ready()` nor makes the instance unready (requests are not refused for it), but it shows.
 */
import { CAEP_EVENT_TYPES } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyFetchReport } from '../../src/index.js';
import { ISSUER } from '../support.js';
import { type SignalHarness, signalHarness } from './helpers.js';

let h: SignalHarness;
afterEach(async () => h?.close());

const entryOf = (issuer: string, use: string) =>
  h.guard.keys.health().find((entry) => entry.issuer === issuer && entry.uses.includes(use as never));

describe('signal key sets in the key health report', () => {
  it('lists the logout issuer as such and the transmitter with its state and age', async () => {
    h = await signalHarness();
    expect(h.guard.keys.health().map(({ issuer, uses }) => [issuer, uses])).toEqual([
      [ISSUER, ['access-token', 'logout-token']],
      [h.transmitter.issuer, ['security-event']],
    ]);
    expect(entryOf(h.transmitter.issuer, 'security-event')).toMatchObject({
      source: 'remote',
      state: 'not-loaded',
      keyCount: 0,
    });
    const loadedAt = h.clock.ms;
    await h.guard.ready();
    h.clock.ms += 1500;
    expect(entryOf(h.transmitter.issuer, 'security-event')).toMatchObject({
      state: 'fresh',
      keyIds: [h.transmitter.key.kid],
      jwksUri: h.transmitter.jwksUri,
      fetchedAt: loadedAt,
      ageMs: 1500,
      lastAttemptAt: loadedAt,
    });
    expect(entryOf(h.transmitter.issuer, 'security-event')?.lastFailure).toBeUndefined();
    const health = h.guard.health();
    expect(health.ready).toBe(true);
    expect(health.issuers).toEqual(h.guard.keys.health());
  });

  it('reports a transmitter whose keys cannot be fetched, with the last failure, without failing ready()', async () => {
    const reports: KeyFetchReport[] = [];
    const logged: string[] = [];
    h = await signalHarness({
      guard: {
        keyFetch: { onFetch: (report) => reports.push(report) },
        logger: { error: (_details, message) => logged.push(message), warn: () => undefined },
      },
    });
    h.transmitter.server.setMode('down');
    const attemptedAt = h.clock.ms;
    await expect(h.guard.ready()).resolves.toBeUndefined();
    const entry = entryOf(h.transmitter.issuer, 'security-event');
    expect(entry).toMatchObject({
      state: 'unusable',
      keyCount: 0,
      lastAttemptAt: attemptedAt,
      lastFailure: { at: attemptedAt, code: 'http-status', url: h.transmitter.jwksUri },
    });
    // The fetch is reported like a token issuer's (metrics, log), naming the transmitter.
    expect(reports).toContainEqual(
      expect.objectContaining({ issuer: h.transmitter.issuer, ok: false, code: 'http-status' }),
    );
    expect(logged).toEqual([expect.stringMatching(/^no usable keys for .*; its signals are refused$/)]);
    // Requests are still decided on their merits: the token issuer's keys are fine.
    const health = h.guard.health();
    expect(health.ready).toBe(true);
    expect(health.issuers.find((issuer) => issuer.uses.includes('security-event'))?.state).toBe('unusable');

    // Back up: the next signal loads the keys, and the report shows them fresh with the failure kept.
    h.transmitter.server.setMode('up');
    h.clock.ms += 60_000;
    const pushed = await h.pushSet(
      h.transmitter.sign({
        event: CAEP_EVENT_TYPES.sessionRevoked,
        subject: { format: 'iss_sub', iss: ISSUER, sub: 'user-1' },
      }),
    );
    expect(pushed.status, pushed.body).toBe(202);
    expect(entryOf(h.transmitter.issuer, 'security-event')).toMatchObject({
      state: 'fresh',
      fetchedAt: h.clock.ms,
      lastFailure: { at: attemptedAt, code: 'http-status' },
    });
  });
});
