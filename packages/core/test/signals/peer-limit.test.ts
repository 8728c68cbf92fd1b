/**
 * The per-peer limit of the signal endpoints: a peer address that keeps sending what the endpoint refuses
 * is answered 429 with `Retry-After` before its body is read (`admit`), each such answer a `signal` record;
 * it may send again once its count has slid under the limit; signals that verify never count; other peers
 * and the other endpoint are not affected; `peerLimit: false` turns it off; bad options fail at start-up.
 */
import { CAEP_EVENT_TYPES } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import type { SignalEndpoint, SignalResponse } from '../../src/signals/signal-endpoint.js';
import { harness } from '../support.js';
import { FORM, form, LOGOUT_PATH, SET_TYPE, type SignalHarness, signalHarness } from './helpers.js';

let h: SignalHarness;
afterEach(async () => h?.close());

const LIMIT = { refusals: 3, windowSeconds: 10 };

/** What an adapter does: admit, then (body read) respond. */
async function post(
  endpoint: SignalEndpoint,
  body: string,
  remoteAddress = '203.0.113.7',
  contentType = FORM,
): Promise<SignalResponse> {
  return (
    (await endpoint.admit(remoteAddress)) ??
    endpoint.respond({ method: 'POST', contentType, body, remoteAddress })
  );
}

const endpoints = () => h.guard.signals as readonly [SignalEndpoint, SignalEndpoint];

describe('signal endpoints: the per-peer limit of refused requests', () => {
  it('answers 429 with Retry-After once a peer reaches the limit, audited, until its count slides back', async () => {
    h = await signalHarness({ backChannelLogout: { peerLimit: LIMIT } });
    const [logout, push] = endpoints();
    const statuses = [];
    for (let i = 0; i < LIMIT.refusals; i++) statuses.push((await post(logout, 'logout_token=x')).status);
    expect(statuses).toEqual([400, 400, 400]);

    // Even a valid logout token from that address waits now; the body is not looked at.
    const held = await post(logout, form(h.logout()));
    expect(held.status).toBe(429);
    expect(held.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    const wait = Number(held.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(LIMIT.windowSeconds * 2);
    expect(JSON.parse(held.body)).toEqual({
      error: 'too_many_requests',
      error_description: 'too many refused requests from this address',
    });
    const records = await h.signals();
    expect(records.at(-1)).toMatchObject({
      channel: 'backchannel-logout',
      outcome: 'refused',
      reason: 'ERR_SIGNAL_RATE_LIMITED',
      status: 429,
      remoteAddress: '203.0.113.7',
    });
    expect(records).toHaveLength(LIMIT.refusals + 1);

    // Another peer, and the other endpoint for the same peer, are not held back.
    expect((await post(logout, form(h.logout()), '198.51.100.1')).status).toBe(200);
    expect((await post(push, 'x', '203.0.113.7', SET_TYPE)).status).toBe(400);

    // After Retry-After the peer is heard again.
    h.clock.ms += wait * 1000;
    expect((await post(logout, form(h.logout({ claims: { sub: 'user-2' } })))).status).toBe(200);
  });

  it('keeps a peer that goes on sending during the block held back (429s count too); told when to come back', async () => {
    h = await signalHarness({ backChannelLogout: { peerLimit: LIMIT } });
    const [logout] = endpoints();
    for (let i = 0; i < LIMIT.refusals; i++) await post(logout, 'logout_token=x');
    let last: SignalResponse | undefined;
    // Twenty seconds of hammering, twice the window: held back throughout.
    for (let i = 0; i < 40; i++) {
      h.clock.ms += 500;
      last = await post(logout, 'logout_token=x');
      expect(last.status).toBe(429);
    }
    h.clock.ms += Number(last?.headers['retry-after']) * 1000;
    expect((await post(logout, 'logout_token=x')).status).toBe(400);
  });

  it('never counts tokens whose signature verified: genuine logouts, and a sender’s wiring mistakes', async () => {
    h = await signalHarness({ backChannelLogout: { peerLimit: LIMIT } });
    const [logout, push] = endpoints();
    for (let i = 0; i < 50; i++) {
      const response = await post(logout, form(h.logout({ claims: { sub: `user-${i}` } })));
      expect(response.status, response.body).toBe(200);
    }
    // Signed by the issuer, refused for what they say: another audience, a subject format nobody maps.
    const misaddressed = Array.from({ length: 10 }, () => h.logout({ claims: { aud: 'another-client' } }));
    for (const token of misaddressed) expect((await post(logout, form(token))).status).toBe(400);
    const email = { format: 'email', email: 'alice@example.com' };
    for (let i = 0; i < 10; i++) {
      const set = h.transmitter.sign({ event: CAEP_EVENT_TYPES.sessionRevoked, subject: email });
      expect((await post(push, set, undefined, SET_TYPE)).status).toBe(400);
    }
    expect((await post(logout, form(h.logout()))).status).toBe(200);
  });

  it('counts a replayed token: anyone who captured one can send it again', async () => {
    h = await signalHarness({ backChannelLogout: { peerLimit: LIMIT } });
    const [logout] = endpoints();
    const captured = form(h.logout());
    const statuses = [];
    for (let i = 0; i < LIMIT.refusals + 2; i++) statuses.push((await post(logout, captured)).status);
    expect(statuses).toEqual([200, 400, 400, 400, 429]);
  });

  it('is on by default (30 refusals a minute) and off with peerLimit: false', async () => {
    h = await signalHarness();
    const [logout] = endpoints();
    const byDefault = [];
    for (let i = 0; i < 31; i++) byDefault.push((await post(logout, 'logout_token=x')).status);
    expect(byDefault.slice(0, 30).every((status) => status === 400)).toBe(true);
    expect(byDefault[30]).toBe(429);
    await h.close();

    h = await signalHarness({ backChannelLogout: { peerLimit: false }, sharedSignals: { peerLimit: false } });
    const [off, push] = endpoints();
    for (let i = 0; i < 40; i++) {
      expect((await post(off, 'logout_token=x')).status).toBe(400);
      expect((await post(push, 'x', undefined, SET_TYPE)).status).toBe(400);
    }
  });

  it('refuses a bad peerLimit at start-up, naming the option', () => {
    const attempt = (peerLimit: unknown) => () =>
      harness({
        guard: {
          backChannelLogout: { path: LOGOUT_PATH, clientIds: ['api'], peerLimit: peerLimit as never },
        },
      });
    expect(attempt({ refusals: 0, windowSeconds: 60 })).toThrow(ConfigError);
    expect(attempt({ refusals: 0, windowSeconds: 60 })).toThrow(/backChannelLogout\.peerLimit/);
    expect(attempt({ refusals: 5 })).toThrow(/backChannelLogout\.peerLimit/);
    expect(attempt(true)).toThrow(/backChannelLogout\.peerLimit/);
  });
});
