/**
 * The per-peer limit of the signal endpoints on every target (the core, and each adapter in-process, over
 * HTTP and over HTTPS, each with its own guard): once a peer address has sent `peerLimit.refusals` refused
 * requests, the endpoint answers 429 with `Retry-After` (and, on the adapters, closes the connection
 * rather than read the body), even for a valid logout token, which is then not applied; each 429 is a
 * `signal` record `ERR_SIGNAL_RATE_LIMITED`; the other endpoint keeps its own count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORM,
  form,
  LOGOUT,
  PUSH,
  SET,
  type SignalWorld,
  signalRecords,
  startSignalWorld,
} from './signal-fixture.js';

const REFUSALS = 2;

let world: SignalWorld;

beforeAll(async () => {
  const peerLimit = { refusals: REFUSALS, windowSeconds: 60 };
  world = await startSignalWorld('signal-limits', 'limits-1', {
    backChannelLogout: { peerLimit },
    sharedSignals: { peerLimit },
  });
});

afterAll(async () => world?.close());

describe('conformance: the signal endpoints’ per-peer limit on every target', () => {
  it('A10 429 with Retry-After after the refused requests a peer may send; the valid logout is not applied', async () => {
    expect(world.targets).toHaveLength(22);
    for (const [index, target] of world.targets.entries()) {
      const user = `mallory-${index}`;
      const token = world.mintFor(user);
      const statuses: number[] = [];
      for (let i = 0; i < REFUSALS; i++)
        statuses.push((await target.post(LOGOUT, FORM, 'logout_token=x')).status);
      const held = await target.post(LOGOUT, FORM, form(world.logoutFor({ sub: user })));
      // While held back, not even the body's size is looked at.
      const large = await target.post(LOGOUT, FORM, `logout_token=${'a'.repeat(5000)}`);
      const other = await target.post(PUSH, SET, 'not a SET');
      const { response, handlerRan, audit } = await target.call(token);
      expect(
        {
          statuses,
          held: held.status,
          retryAfter: Number(held.headers['retry-after']?.[0]) >= 1,
          error: JSON.parse(held.body).error,
          large: large.status,
          other: other.status,
          after: [response.status, handlerRan, audit.reason],
        },
        target.name,
      ).toEqual({
        statuses: [400, 400],
        held: 429,
        retryAfter: true,
        error: 'too_many_requests',
        large: 429,
        other: 400,
        after: [200, true, 'OK'],
      });
      if (target.client) expect(held.headers.connection?.[0], target.name).toBe('close');
      const records = await signalRecords(target);
      expect(
        records.map((record) => [record.channel, record.reason, record.status]),
        target.name,
      ).toEqual([
        ['backchannel-logout', 'ERR_SIGNAL_MALFORMED', 400],
        ['backchannel-logout', 'ERR_SIGNAL_MALFORMED', 400],
        ['backchannel-logout', 'ERR_SIGNAL_RATE_LIMITED', 429],
        ['backchannel-logout', 'ERR_SIGNAL_RATE_LIMITED', 429],
        ['shared-signals', 'ERR_SIGNAL_MALFORMED', 400],
      ]);
      if (target.client) expect(records[2]?.remoteAddress, target.name).toBeDefined();
    }
  });
});
