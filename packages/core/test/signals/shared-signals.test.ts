/**
 * Shared Signals / CAEP push receiver (checklist A10): SETs from a test transmitter whose key a real key
 * server publishes are verified (`typ`, signature, `iss`, `aud`, `iat`, `jti`, SSF's no `sub`/`exp`),
 * applied — every CAEP event type — and acknowledged 202 per RFC 8935; everything unverifiable is a 400
 * with the RFC's `{ err, description }`. Each SET is one `signal` audit record.
 */
import { CAEP_EVENT_TYPES as CAEP, generateTestKey } from '@nevertrust/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createGuard } from '../../src/index.js';
import { AUDIENCE, expectAllow, expectDeny, ISSUER, testKey } from '../support.js';
import { type SignalHarness, signalHarness } from './helpers.js';

let h: SignalHarness;
afterEach(async () => h?.close());

const CREDENTIAL = { credential_type: 'password', change_type: 'update' };

async function accepted(set: string) {
  const response = await h.pushSet(set);
  expect(response, response.body).toEqual({ status: 202, headers: {}, body: '' });
}

async function refused(set: string, err: string, reason: string) {
  const token = h.mint({ claims: { sid: 'session-1', auth_time: h.clock.seconds - 10 } });
  const response = await h.pushSet(set);
  expect(response.status, response.body).toBe(400);
  expect(response.headers['content-type']).toBe('application/json');
  const body = JSON.parse(response.body);
  expect(Object.keys(body)).toEqual(['err', 'description']);
  expect(body.err).toBe(err);
  expectAllow(await h.evaluateToken(token));
  expect((await h.signals()).at(-1)).toMatchObject({ channel: 'shared-signals', outcome: 'refused', reason });
}

describe('A10 CAEP events applied', () => {
  it('A10 session-revoked for a session (complex subject): its tokens are refused; with a user: the user', async () => {
    h = await signalHarness();
    const inSession = h.mint({ claims: { sid: 'session-1' } });
    const other = h.mint({ claims: { sid: 'session-2' } });
    const subject = { format: 'complex', session: { format: 'opaque', id: 'session-1' } };
    await accepted(h.transmitter.sign({ event: CAEP.sessionRevoked, subject }));
    expectDeny(await h.evaluateToken(inSession), 'ERR_TOKEN_REVOKED');
    expectAllow(await h.evaluateToken(other));
    await accepted(
      h.transmitter.sign({
        event: CAEP.sessionRevoked,
        subject: { format: 'iss_sub', iss: ISSUER, sub: 'user-1' },
      }),
    );
    expectDeny(await h.evaluateToken(other), 'ERR_TOKEN_REVOKED');
    const records = await h.signals();
    expect(records.map((record) => [record.outcome, record.cutOffs, record.subjectIssuer])).toEqual([
      ['applied', ['session'], ISSUER],
      ['applied', ['subject'], ISSUER],
    ]);
    expect(records[0]).toMatchObject({
      event: CAEP.sessionRevoked,
      issuer: h.transmitter.issuer,
      status: 202,
    });
  });

  it('A10 credential-change: every token of the user issued up to now is refused', async () => {
    h = await signalHarness();
    const token = h.mint();
    await accepted(h.transmitter.sign({ event: CAEP.credentialChange, payload: CREDENTIAL }));
    expectDeny(await h.evaluateToken(token), 'ERR_TOKEN_REVOKED');
    expectAllow(await h.evaluateToken(h.mint({ claims: { sub: 'user-2' } })));
    h.clock.seconds += 1;
    expectAllow(await h.evaluateToken(h.mint()));
  });

  it('A10 token-claims-change: the user’s tokens carrying the old claims are refused, fresh ones pass', async () => {
    h = await signalHarness();
    const token = h.mint({ claims: { scope: 'orders:write' } });
    await accepted(
      h.transmitter.sign({ event: CAEP.tokenClaimsChange, payload: { claims: { role: 'reader' } } }),
    );
    expectDeny(await h.evaluateToken(token), 'ERR_TOKEN_REVOKED');
    h.clock.seconds += 1;
    expectAllow(await h.evaluateToken(h.mint({ claims: { scope: 'orders:read' } })));
  });

  it('A10 assurance-level-change: tokens authenticated before the change are refused, even freshly issued', async () => {
    h = await signalHarness();
    const change = h.clock.seconds - 30;
    const oldSignIn = h.mint({ claims: { auth_time: change - 600 } });
    const payload = {
      namespace: 'RFC8176',
      current_level: 'pwd',
      change_direction: 'decrease',
      event_timestamp: change,
    };
    await accepted(h.transmitter.sign({ event: CAEP.assuranceLevelChange, payload }));
    expectDeny(await h.evaluateToken(oldSignIn), 'ERR_TOKEN_REVOKED');
    h.clock.seconds += 60;
    // A refreshed token of the same old sign-in: still refused (the step-up has not happened).
    expectDeny(await h.evaluateToken(h.mint({ claims: { auth_time: change - 600 } })), 'ERR_TOKEN_REVOKED');
    // A token from a sign-in after the change passes; so do other users.
    expectAllow(await h.evaluateToken(h.mint({ claims: { auth_time: change + 1 } })));
    expectAllow(await h.evaluateToken(h.mint({ claims: { sub: 'user-2', auth_time: change - 600 } })));
    expect((await h.signals())[0]).toMatchObject({ outcome: 'applied', cutOffs: ['authentication'] });
  });

  it('A10 assurance-level-change upwards is acknowledged and ignored; so is an event type not applied', async () => {
    h = await signalHarness();
    const token = h.mint({ claims: { auth_time: h.clock.seconds - 600 } });
    const payload = { namespace: 'RFC8176', current_level: 'mfa', change_direction: 'increase' };
    await accepted(h.transmitter.sign({ event: CAEP.assuranceLevelChange, payload }));
    await accepted(
      h.transmitter.sign({
        event: 'https://schemas.openid.net/secevent/caep/event-type/session-established',
      }),
    );
    expectAllow(await h.evaluateToken(token));
    expect((await h.signals()).map((record) => record.outcome)).toEqual(['ignored', 'ignored']);
  });

  it('A10 a SET delivered twice is acknowledged twice and applied once (at-least-once delivery)', async () => {
    h = await signalHarness();
    const set = h.transmitter.sign({ event: CAEP.credentialChange, payload: CREDENTIAL });
    await accepted(set);
    h.clock.seconds += 5;
    const later = h.mint();
    await accepted(set);
    // The replay did not move the cut-off forward.
    expectAllow(await h.evaluateToken(later));
    expect((await h.signals()).map((record) => [record.outcome, record.detail])).toEqual([
      ['applied', undefined],
      ['ignored', 'jti was seen before'],
    ]);
  });
});

describe('A10 SETs refused with the RFC 8935 error codes', () => {
  it('A10 invalid_issuer, authentication_failed (forged), invalid_key (unknown kid, alg)', async () => {
    h = await signalHarness();
    const sign = h.transmitter.sign;
    const options = { event: CAEP.credentialChange, payload: CREDENTIAL };
    await refused(
      sign({ ...options, claims: { iss: 'https://evil.test/' } }),
      'invalid_issuer',
      'ERR_SIGNAL_ISSUER',
    );
    // The token issuer is not a transmitter: its key cannot sign SETs.
    await refused(sign({ ...options, claims: { iss: ISSUER } }), 'invalid_issuer', 'ERR_SIGNAL_ISSUER');
    const forger = generateTestKey('ES256', 'forger');
    await refused(
      sign({ ...options, signWith: forger.privateKey }),
      'authentication_failed',
      'ERR_SIGNAL_SIGNATURE',
    );
    await refused(sign({ ...options, header: { kid: 'nope' } }), 'invalid_key', 'ERR_SIGNAL_KEY');
  });

  it('A10 invalid_audience; invalid_request for typ, iat, jti, sub, exp, events, payload members', async () => {
    h = await signalHarness();
    const sign = (extra: object) =>
      h.transmitter.sign({ event: CAEP.credentialChange, payload: CREDENTIAL, ...extra });
    await refused(sign({ claims: { aud: 'https://other.test' } }), 'invalid_audience', 'ERR_SIGNAL_AUDIENCE');
    await refused(sign({ header: { typ: 'JWT' } }), 'invalid_request', 'ERR_SIGNAL_TYPE');
    await refused(sign({ header: { typ: undefined } }), 'invalid_request', 'ERR_SIGNAL_TYPE');
    await refused(sign({ claims: { iat: h.clock.seconds - 700 } }), 'invalid_request', 'ERR_SIGNAL_STALE');
    await refused(sign({ claims: { jti: undefined } }), 'invalid_request', 'ERR_SIGNAL_CLAIMS');
    await refused(sign({ claims: { sub: 'user-1' } }), 'invalid_request', 'ERR_SIGNAL_CLAIMS');
    await refused(sign({ claims: { exp: h.clock.seconds + 60 } }), 'invalid_request', 'ERR_SIGNAL_CLAIMS');
    await refused(sign({ claims: { events: {} } }), 'invalid_request', 'ERR_SIGNAL_CLAIMS');
    const two = { [CAEP.credentialChange]: CREDENTIAL, [CAEP.sessionRevoked]: {} };
    await refused(sign({ claims: { events: two } }), 'invalid_request', 'ERR_SIGNAL_CLAIMS');
    await refused(sign({ payload: { credential_type: 'password' } }), 'invalid_request', 'ERR_SIGNAL_CLAIMS');
  });

  it('A10 unsupported subject formats and subjects the transmitter may not speak for', async () => {
    h = await signalHarness();
    const sign = (subject: unknown) =>
      h.transmitter.sign({ event: CAEP.credentialChange, payload: CREDENTIAL, subject });
    await refused(
      sign({ format: 'email', email: 'user-1@example.com' }),
      'invalid_request',
      'ERR_SIGNAL_SUBJECT',
    );
    await refused(
      sign({ format: 'iss_sub', iss: 'https://other-idp.test/', sub: 'user-1' }),
      'invalid_request',
      'ERR_SIGNAL_SUBJECT',
    );
    await refused(sign({ format: 'opaque' }), 'invalid_request', 'ERR_SIGNAL_SUBJECT');
    await refused(
      sign({ format: 'complex', user: { format: 'opaque', id: 'user-1' }, device: {} }),
      'invalid_request',
      'ERR_SIGNAL_SUBJECT',
    );
    // credential-change needs a user, not only a session.
    const session = { format: 'complex', session: { format: 'opaque', id: 'session-1' } };
    await refused(sign(session), 'invalid_request', 'ERR_SIGNAL_SUBJECT');
    await refused(sign('alice'), 'invalid_request', 'ERR_SIGNAL_SUBJECT');
  });

  it('A10 another media type, a body that is not a JWS', async () => {
    h = await signalHarness();
    const set = h.transmitter.sign({ event: CAEP.credentialChange, payload: CREDENTIAL });
    const wrongType = await h.pushSet(set, 'application/jwt');
    expect(wrongType.status).toBe(400);
    expect(JSON.parse(wrongType.body).err).toBe('invalid_request');
    await refused('{"events":{}}', 'invalid_request', 'ERR_SIGNAL_MALFORMED');
  });
});

describe('A10 shared signals options fail at start-up', () => {
  const issuers = [{ issuer: ISSUER, audience: AUDIENCE, keys: [testKey().jwk] }];
  const transmitter = {
    issuer: 'https://ssf.test/',
    audience: AUDIENCE,
    keys: [generateTestKey('ES256').jwk],
  };
  it.each([
    [{ path: '/ssf', transmitters: [] }, 'sharedSignals.transmitters'],
    [{ path: '/ssf', transmitters: [{ ...transmitter, keys: undefined }] }, 'sharedSignals.transmitters[0]'],
    [{ path: '/ssf', transmitters: [transmitter] }, 'sharedSignals.transmitters[0].subjectIssuers[0]'],
    [
      { path: '/ssf', transmitters: [{ ...transmitter, subjectIssuers: [ISSUER], algorithms: ['HS256'] }] },
      'algorithms',
    ],
    [
      {
        path: '/ssf',
        transmitters: [{ ...transmitter, subjectIssuers: [ISSUER], keys: [{ kty: 'oct', k: 'AAAA' }] }],
      },
      'sharedSignals.transmitters[0].keys[0]',
    ],
  ])('%# → ConfigError naming %s', (sharedSignals, option) => {
    let problems = '';
    try {
      createGuard({ issuers, sharedSignals } as never);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems.join('\n');
    }
    expect(problems).toContain(option);
  });

  it('refuses the same path for both channels', () => {
    const shared = { path: '/signals', transmitters: [{ ...transmitter, subjectIssuers: [ISSUER] }] };
    expect(() =>
      createGuard({
        issuers,
        sharedSignals: shared,
        backChannelLogout: { path: '/signals', clientIds: ['a'] },
      }),
    ).toThrow(/sharedSignals.path/);
  });
});
