/**
 * OpenID Connect Back-Channel Logout 1.0 (checklist A10): a logout token is verified strictly — signature
 * with the issuer's keys, `typ`, `iss`, `aud`, `iat`, `jti` replay, the event, `sub`/`sid`, no `nonce` —
 * and then cuts off the user's tokens through the revocation store. Each refusal leaves the user's tokens
 * working, and every token received is one `signal` audit record.
 */
import { generateTestKey } from '@nevertrust/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, createGuard } from '../../src/index.js';
import { signalEventSchema } from '../../src/sinks.js';
import { AUDIENCE, expectAllow, expectDeny, ISSUER, testKey } from '../support.js';
import { CLIENT_ID, form, LOGOUT_PATH, type SignalHarness, signalHarness } from './helpers.js';

let h: SignalHarness;
afterEach(async () => h?.close());

const BODY = JSON.stringify({ error: 'invalid_request', error_description: '' }).slice(0, 30);

async function refused(token: string, reason: string, detail?: string) {
  const before = h.mint({ claims: { sid: 'session-1' } });
  const response = await h.postLogout(form(token));
  expect(response.status).toBe(400);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.body.startsWith(BODY)).toBe(true);
  const body = JSON.parse(response.body);
  if (detail) expect(body.error_description).toContain(detail);
  // Nothing was cut off: the user's token still works.
  expectAllow(await h.evaluateToken(before));
  const records = await h.signals();
  expect(records.at(-1)).toMatchObject({ outcome: 'refused', reason, status: 400 });
}

describe('A10 back-channel logout: a valid logout token cuts off the user', () => {
  it('A10 sub: 200 no-store, the user’s tokens issued up to now are refused, later ones pass', async () => {
    h = await signalHarness();
    const token = h.mint();
    expectAllow(await h.evaluateToken(token));
    const response = await h.postLogout(form(h.logout()));
    expect(response).toEqual({ status: 200, headers: { 'cache-control': 'no-store' }, body: '' });
    expectDeny(await h.evaluateToken(token), 'ERR_TOKEN_REVOKED', 401);
    expectAllow(await h.evaluateToken(h.mint({ claims: { sub: 'user-2' } })));
    h.clock.seconds += 1;
    expectAllow(await h.evaluateToken(h.mint()));
    const [record] = await h.signals();
    expect(signalEventSchema.parse(record)).toMatchObject({
      channel: 'backchannel-logout',
      outcome: 'applied',
      reason: 'OK',
      issuer: ISSUER,
      subject: 'user-1',
      cutOffs: ['subject'],
      status: 200,
      remoteAddress: '127.0.0.1',
      event: 'http://schemas.openid.net/event/backchannel-logout',
    });
  });

  it('A10 sid only: tokens carrying that sid are refused, others of the user pass', async () => {
    h = await signalHarness();
    const inSession = h.mint({ claims: { sid: 'session-1' } });
    const otherSession = h.mint({ claims: { sid: 'session-2' } });
    const noSession = h.mint();
    expect(
      (await h.postLogout(form(h.logout({ claims: { sub: undefined, sid: 'session-1' } })))).status,
    ).toBe(200);
    expectDeny(await h.evaluateToken(inSession), 'ERR_TOKEN_REVOKED');
    expectAllow(await h.evaluateToken(otherSession));
    expectAllow(await h.evaluateToken(noSession));
    expect((await h.signals())[0]).toMatchObject({ sessionId: 'session-1', cutOffs: ['session'] });
  });

  it('A10 sub and sid: scope "subject" (default) cuts off the user, scope "session" only the session', async () => {
    h = await signalHarness();
    const noSession = h.mint();
    await h.postLogout(form(h.logout({ claims: { sid: 'session-1' } })));
    expectDeny(await h.evaluateToken(noSession), 'ERR_TOKEN_REVOKED');
    expect((await h.signals())[0]?.cutOffs).toEqual(['session', 'subject']);
    await h.close();

    h = await signalHarness({ backChannelLogout: { scope: 'session' } });
    const untouched = h.mint();
    const inSession = h.mint({ claims: { sid: 'session-1' } });
    await h.postLogout(form(h.logout({ claims: { sid: 'session-1' } })));
    expectAllow(await h.evaluateToken(untouched));
    expectDeny(await h.evaluateToken(inSession), 'ERR_TOKEN_REVOKED');
  });

  it('A10 typ: logout+jwt in any case, with or without application/, and absent (BCL §2.4 only recommends it)', async () => {
    h = await signalHarness();
    for (const typ of ['logout+jwt', 'application/Logout+JWT', undefined]) {
      const response = await h.postLogout(form(h.logout({ header: { typ } })));
      expect(response.status, String(typ)).toBe(200);
    }
  });
});

describe('A10 back-channel logout: every rule refuses with 400 invalid_request and cuts off nothing', () => {
  it('A10 a forged signature (another key), an unknown kid, an alg off the allow-list', async () => {
    h = await signalHarness();
    const other = generateTestKey('ES256', 'forger');
    await refused(h.logout({ signWith: other.privateKey }), 'ERR_SIGNAL_SIGNATURE');
    await refused(h.logout({ header: { kid: 'unknown' } }), 'ERR_SIGNAL_KEY');
    await refused(h.logout({ header: { alg: 'HS256' }, signWith: Buffer.alloc(32) }), 'ERR_SIGNAL_KEY');
  });

  it('A10 the wrong typ: an ID token (JWT), an access token (at+jwt), a SET', async () => {
    h = await signalHarness();
    for (const typ of ['JWT', 'at+jwt', 'secevent+jwt']) {
      await refused(h.logout({ header: { typ } }), 'ERR_SIGNAL_TYPE');
    }
  });

  it('A10 iss not allowed: unknown, missing, or a configured issuer left out of backChannelLogout.issuers', async () => {
    h = await signalHarness();
    await refused(h.logout({ claims: { iss: 'https://evil.test/' } }), 'ERR_SIGNAL_ISSUER');
    await refused(h.logout({ claims: { iss: undefined } }), 'ERR_SIGNAL_ISSUER');
  });

  it('A10 aud does not name a configured client id (an access token audience is not enough)', async () => {
    h = await signalHarness();
    await refused(h.logout({ claims: { aud: 'someone-else' } }), 'ERR_SIGNAL_AUDIENCE');
    await refused(h.logout({ claims: { aud: AUDIENCE } }), 'ERR_SIGNAL_AUDIENCE');
    await refused(h.logout({ claims: { aud: [] } }), 'ERR_SIGNAL_CLAIMS');
  });

  it('A10 iat missing, in the future, or older than maxAgeSeconds; exp passed', async () => {
    h = await signalHarness();
    const now = h.clock.seconds;
    await refused(h.logout({ claims: { iat: undefined } }), 'ERR_SIGNAL_CLAIMS');
    await refused(h.logout({ claims: { iat: now + 60 } }), 'ERR_SIGNAL_STALE');
    await refused(h.logout({ claims: { iat: now - 306 } }), 'ERR_SIGNAL_STALE');
    await refused(h.logout({ claims: { exp: now - 10 } }), 'ERR_SIGNAL_STALE');
  });

  it('A10 jti missing, blank, or replayed (the second delivery of the same token)', async () => {
    h = await signalHarness();
    await refused(h.logout({ claims: { jti: undefined } }), 'ERR_SIGNAL_CLAIMS');
    await refused(h.logout({ claims: { jti: ' ' } }), 'ERR_SIGNAL_CLAIMS');
    const token = h.logout({ claims: { sub: 'user-9' } });
    expect((await h.postLogout(form(token))).status).toBe(200);
    await refused(token, 'ERR_SIGNAL_REPLAY', 'jti');
  });

  it('A10 events: missing, without the logout event, the event not an object, events an array', async () => {
    h = await signalHarness();
    const event = 'http://schemas.openid.net/event/backchannel-logout';
    await refused(h.logout({ claims: { events: undefined } }), 'ERR_SIGNAL_CLAIMS');
    await refused(h.logout({ claims: { events: { 'urn:other': {} } } }), 'ERR_SIGNAL_CLAIMS');
    await refused(h.logout({ claims: { events: { [event]: 'yes' } } }), 'ERR_SIGNAL_CLAIMS');
    await refused(h.logout({ claims: { events: [event] } }), 'ERR_SIGNAL_CLAIMS');
  });

  it('A10 a nonce (an ID token), neither sub nor sid, a blank sub', async () => {
    h = await signalHarness();
    await refused(h.logout({ claims: { nonce: 'n-1' } }), 'ERR_SIGNAL_CLAIMS', 'nonce');
    await refused(h.logout({ claims: { sub: undefined } }), 'ERR_SIGNAL_CLAIMS');
    await refused(h.logout({ claims: { sub: '' } }), 'ERR_SIGNAL_CLAIMS');
  });

  it('A10 an access token or a malformed token in logout_token', async () => {
    h = await signalHarness();
    await refused(h.mint(), 'ERR_SIGNAL_TYPE');
    await refused('not.a.jwt!', 'ERR_SIGNAL_MALFORMED');
  });
});

describe('A10 back-channel logout: the request itself', () => {
  it('refuses another method (405), another media type, no or two logout_token (400)', async () => {
    h = await signalHarness();
    const token = h.logout();
    const get = await h.postLogout('', undefined, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await h.postLogout(form(token), 'application/json')).status).toBe(400);
    expect((await h.postLogout('')).status).toBe(400);
    const two = `${form(token)}&${form(token)}`;
    expect((await h.postLogout(two)).status).toBe(400);
    expect((await h.postLogout(form(token), 'application/x-www-form-urlencoded; charset=utf-8')).status).toBe(
      200,
    );
    const records = await h.signals();
    expect(records.map((record) => [record.status, record.reason])).toEqual([
      [405, 'ERR_SIGNAL_REQUEST'],
      [400, 'ERR_SIGNAL_REQUEST'],
      [400, 'ERR_SIGNAL_REQUEST'],
      [400, 'ERR_SIGNAL_REQUEST'],
      [200, 'OK'],
    ]);
  });

  it('answers 503 with Retry-After when the cut-off cannot be recorded, and accepts the retry', async () => {
    let failing = true;
    h = await signalHarness({
      guard: {
        revocation: {
          store: {
            async add() {
              if (failing) throw new Error('store down');
            },
            find: () => undefined,
          },
        },
      },
    });
    const token = h.logout();
    const response = await h.postLogout(form(token));
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(JSON.parse(response.body).error).toBe('temporarily_unavailable');
    failing = false;
    // The jti was forgotten: the provider's retry is not a replay.
    expect((await h.postLogout(form(token))).status).toBe(200);
    expect((await h.signals()).map((record) => record.reason)).toEqual(['ERR_SIGNAL_UNAVAILABLE', 'OK']);
  });

  it('answers 503 when the revocation store hangs, after a bounded wait (5 s)', async () => {
    h = await signalHarness({
      guard: { revocation: { store: { add: () => new Promise(() => {}), find: () => undefined } } },
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pending = h.postLogout(form(h.logout()));
      await vi.advanceTimersByTimeAsync(5000);
      const response = await pending;
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
    } finally {
      vi.useRealTimers();
    }
    expect((await h.signals())[0]?.detail).toContain('did not answer within 5000 ms');
  });

  it('answers 503 when the replay store is full, never 200 for an unremembered jti', async () => {
    h = await signalHarness({
      backChannelLogout: {
        replay: {
          remember: () => {
            throw new RangeError('replay store holds 1 live entries');
          },
          forget: () => {},
        },
      },
    });
    expect((await h.postLogout(form(h.logout()))).status).toBe(503);
  });
});

describe('A10 back-channel logout options fail at start-up', () => {
  const issuers = [{ issuer: ISSUER, audience: AUDIENCE, keys: [testKey().jwk] }];
  it.each([
    [{ path: 'oidc/logout', clientIds: ['a'] }, 'backChannelLogout.path'],
    [{ path: '/logout?x', clientIds: ['a'] }, 'backChannelLogout.path'],
    [{ path: '/logout', clientIds: [] }, 'backChannelLogout.clientIds'],
    [{ path: '/logout', clientIds: ['a'], issuers: ['https://unknown/'] }, 'backChannelLogout.issuers[0]'],
    [{ path: '/logout', clientIds: ['a'], replay: {} }, 'backChannelLogout.replay'],
    [{ path: '/logout', clientIds: ['a'], scope: 'everything' }, 'backChannelLogout.scope'],
  ])('%j → ConfigError naming %s', (backChannelLogout, option) => {
    expect(() => createGuard({ issuers, backChannelLogout } as never)).toThrow(ConfigError);
    try {
      createGuard({ issuers, backChannelLogout } as never);
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toContain(option);
    }
  });

  it('serves nothing when not configured', () => {
    expect(createGuard({ issuers }).signals).toEqual([]);
  });

  it('keeps the endpoint at its path', async () => {
    h = await signalHarness();
    expect(h.guard.signals.map((endpoint) => endpoint.path)).toEqual([LOGOUT_PATH, '/ssf/events']);
    expect(CLIENT_ID).toBe('orders-api');
  });
});
