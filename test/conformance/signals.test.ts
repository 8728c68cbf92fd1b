/**
 * The identity provider's signal endpoints on every target (checklist A10): the core, and each adapter
 * in-process, over HTTP and over HTTPS, each with its own guard handed to the adapter. A valid logout
 * token is answered 200 `no-store` and the user's token is refused on the next request (401, no handler);
 * a forged, replayed or nonce-bearing one is a 400 `invalid_request` and the token still works; every
 * CAEP event type pushed by the test transmitter (its keys on a real key server) is acknowledged 202 and
 * applied; the error paths answer with RFC 8935's `{ err, description }`. Every token received is one
 * `signal` audit record, and every request one decision record.
 */
import { CAEP_EVENT_TYPES as CAEP, generateTestKey } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORM,
  form,
  LOGOUT,
  PUSH,
  SET,
  type SignalTarget,
  type SignalWorld,
  signalRecords,
  startSignalWorld,
} from './signal-fixture.js';
import type { WireResponse } from './transport.js';

let world: SignalWorld;
let targets: SignalTarget[];

beforeAll(async () => {
  world = await startSignalWorld('signals', 'signals-1');
  targets = world.targets;
});

afterAll(async () => world?.close());

/** `GET /api/orders` with a token: its status, whether the handler ran, and the decision's reason. */
async function call(target: SignalTarget, token: string) {
  const { response, handlerRan, audit } = await target.call(token);
  return { status: response.status, handlerRan, reason: audit.reason };
}

const ALLOWED = { status: 200, handlerRan: true, reason: 'OK' };
const REVOKED = { status: 401, handlerRan: false, reason: 'ERR_TOKEN_REVOKED' };

/** What one target observed over a logout scenario: the answers, and the user's token before and after. */
async function logoutScenario(target: SignalTarget, index: number) {
  const user = `alice-${index}`;
  const token = world.mintFor(user);
  const seen: unknown[] = [await call(target, token)];
  const answer = (response: WireResponse) => ({
    status: response.status,
    cacheControl: response.headers['cache-control']?.[0] ?? null,
    error: response.body === '' ? null : JSON.parse(response.body).error,
  });
  // A forged logout token (another key, same kid), a nonce-bearing one: refused, the token still works.
  const forger = generateTestKey('ES256', world.key.kid);
  seen.push(
    answer(
      await target.post(LOGOUT, FORM, form(world.logoutFor({ sub: user }, { signWith: forger.privateKey }))),
    ),
  );
  seen.push(answer(await target.post(LOGOUT, FORM, form(world.logoutFor({ sub: user, nonce: 'n' })))));
  seen.push(await call(target, token));
  // The real logout: 200 no-store; the token is refused on the next request; a replay is refused.
  const logout = world.logoutFor({ sub: user });
  seen.push(answer(await target.post(LOGOUT, FORM, form(logout))));
  seen.push(await call(target, token));
  seen.push(answer(await target.post(LOGOUT, FORM, form(logout))));
  seen.push(answer(await target.post(LOGOUT, FORM, '', 'GET')));
  seen.push(answer(await target.post(LOGOUT, FORM, `logout_token=${'a'.repeat(5000)}`)));
  return seen;
}

describe('conformance: signal endpoints on every target (core, express, koa, fastify, hono, fetch × in-process, HTTP, HTTPS)', () => {
  it('A10 back-channel logout: valid → 200 and the token refused next; forged, nonce, replayed → 400 and the token works', async () => {
    expect(targets).toHaveLength(22);
    const bad = { status: 400, cacheControl: 'no-store', error: 'invalid_request' };
    for (const [index, target] of targets.entries()) {
      const seen = await logoutScenario(target, index);
      expect(seen, target.name).toEqual([
        ALLOWED,
        bad,
        bad,
        ALLOWED,
        { status: 200, cacheControl: 'no-store', error: null },
        REVOKED,
        bad,
        { status: 405, cacheControl: 'no-store', error: 'invalid_request' },
        // The core target is handed the body whole; the adapters stop reading past maxBodyBytes.
        target.name === 'core' ? bad : { status: 413, cacheControl: 'no-store', error: 'invalid_request' },
      ]);
      const records = await signalRecords(target);
      expect(
        records.map((record) => [record.outcome, record.reason, record.status]),
        target.name,
      ).toEqual([
        ['refused', 'ERR_SIGNAL_SIGNATURE', 400],
        ['refused', 'ERR_SIGNAL_CLAIMS', 400],
        ['applied', 'OK', 200],
        ['refused', 'ERR_SIGNAL_REPLAY', 400],
        ['refused', 'ERR_SIGNAL_REQUEST', 405],
        target.name === 'core'
          ? ['refused', 'ERR_SIGNAL_MALFORMED', 400]
          : ['refused', 'ERR_SIGNAL_REQUEST', 413],
      ]);
      expect(records[2], target.name).toMatchObject({
        channel: 'backchannel-logout',
        subject: `alice-${index}`,
      });
      if (target.name !== 'core') expect(records[2]?.remoteAddress, target.name).toBeDefined();
    }
  });

  it('A10 CAEP push: every event type → 202 and applied; unverifiable SETs → 400 { err, description }', async () => {
    for (const [index, target] of targets.entries()) {
      target.records.length = 0;
      const user = (name: string) => `${name}-${index}`;
      const push = async (
        event: string,
        subject: unknown,
        payload: Record<string, unknown> = {},
        claims = {},
      ) => {
        const response = await target.post(
          PUSH,
          SET,
          world.transmitter.sign({ event, subject, payload, claims }),
        );
        return { status: response.status, err: response.body === '' ? null : JSON.parse(response.body).err };
      };
      const iss = (sub: string) => ({ format: 'iss_sub', iss: world.server.url, sub });
      const tokens = {
        session: world.mintFor(user('bob'), { sid: `sid-${index}` }),
        credential: world.mintFor(user('carol')),
        claims: world.mintFor(user('dave')),
        assurance: world.mintFor(user('erin'), { auth_time: Math.floor(Date.now() / 1000) - 600 }),
      };
      const seen: unknown[] = [];
      for (const token of Object.values(tokens)) seen.push(await call(target, token));
      const session = { format: 'complex', session: { format: 'opaque', id: `sid-${index}` } };
      seen.push(await push(CAEP.sessionRevoked, session));
      seen.push(
        await push(CAEP.credentialChange, iss(user('carol')), {
          credential_type: 'password',
          change_type: 'update',
        }),
      );
      seen.push(
        await push(CAEP.tokenClaimsChange, { format: 'opaque', id: user('dave') }, { claims: { role: 'x' } }),
      );
      const level = { namespace: 'RFC8176', current_level: 'pwd', change_direction: 'decrease' };
      seen.push(await push(CAEP.assuranceLevelChange, iss(user('erin')), level));
      for (const token of Object.values(tokens)) seen.push(await call(target, token));
      // Error paths: wrong audience, unknown issuer, unsupported subject format, wrong media type.
      seen.push(await push(CAEP.sessionRevoked, iss(user('frank')), {}, { aud: 'https://elsewhere.test' }));
      seen.push(await push(CAEP.sessionRevoked, iss(user('frank')), {}, { iss: 'https://evil.test/' }));
      seen.push(await push(CAEP.sessionRevoked, { format: 'email', email: 'frank@example.com' }));
      const wrongType = await target.post(PUSH, 'application/json', '{}');
      seen.push({ status: wrongType.status, err: JSON.parse(wrongType.body).err });
      const accepted = { status: 202, err: null };
      expect(seen, target.name).toEqual([
        ALLOWED,
        ALLOWED,
        ALLOWED,
        ALLOWED,
        accepted,
        accepted,
        accepted,
        accepted,
        REVOKED,
        REVOKED,
        REVOKED,
        REVOKED,
        { status: 400, err: 'invalid_audience' },
        { status: 400, err: 'invalid_issuer' },
        { status: 400, err: 'invalid_request' },
        { status: 400, err: 'invalid_request' },
      ]);
      const records = await signalRecords(target);
      expect(
        records.map((record) => [record.channel, record.outcome, record.cutOffs ?? null]),
        target.name,
      ).toEqual([
        ['shared-signals', 'applied', ['session']],
        ['shared-signals', 'applied', ['subject']],
        ['shared-signals', 'applied', ['subject']],
        ['shared-signals', 'applied', ['authentication']],
        ['shared-signals', 'refused', null],
        ['shared-signals', 'refused', null],
        ['shared-signals', 'refused', null],
        ['shared-signals', 'refused', null],
      ]);
    }
  });
});
