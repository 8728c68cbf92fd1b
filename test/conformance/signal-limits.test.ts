/**
 * The per-peer limit of the signal endpoints on every target (the core, and each adapter in-process, over
 * HTTP and over HTTPS, each with its own guard): once a peer address has sent `peerLimit.refusals` refused
 * requests, the endpoint answers 429 with `Retry-After` (and, on the adapters, closes the connection
 * rather than read the body), even for a valid logout token, which is then not applied; each 429 is a
 * `signal` record `ERR_SIGNAL_RATE_LIMITED`; the other endpoint keeps its own count.
 */
import {
  type AuditEvent,
  type AuditRecord,
  createCallbackSink,
  createGuard,
  type Guard,
} from '@nevertrust/core';
import type { SignalEvent } from '@nevertrust/core/sinks';
import {
  createLogoutTokenIssuer,
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  type SignalTransmitter,
  startKeyServer,
  startSignalTransmitter,
} from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, REALM } from './fixture.js';
import { type OwnGuardTarget, ownGuardTargets } from './own-guard-targets.js';
import type { WireResponse } from './transport.js';

const LOGOUT = '/oidc/backchannel-logout';
const PUSH = '/ssf/events';
const CLIENT_ID = 'orders-api';
const FORM = 'application/x-www-form-urlencoded';
const SET = 'application/secevent+jwt';
const REFUSALS = 2;

interface LimitTarget extends OwnGuardTarget {
  post(path: string, contentType: string, body: string): Promise<WireResponse>;
}

const key = generateTestKey('ES256', 'limits-1');
let server: KeyServer;
let transmitter: SignalTransmitter;
const targets: LimitTarget[] = [];

function newGuard(records: AuditRecord[], events: AuditEvent[]): Guard {
  const peerLimit = { refusals: REFUSALS, windowSeconds: 60 };
  return createGuard({
    issuers: [{ issuer: server.url, audience: AUDIENCE, jwksUri: server.jwksUri }],
    realm: REALM,
    keyFetch: { ca: [server.ca ?? ''], timeoutMs: 2000 },
    onAudit: (event) => events.push(event),
    audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
    backChannelLogout: { path: LOGOUT, clientIds: [CLIENT_ID], maxBodyBytes: 4096, peerLimit },
    sharedSignals: {
      path: PUSH,
      peerLimit,
      transmitters: [
        {
          issuer: transmitter.issuer,
          audience: AUDIENCE,
          jwksUri: transmitter.jwksUri,
          subjectIssuers: [server.url],
        },
      ],
    },
  });
}

/** A POST through the adapter's app, or (core) as an adapter does it: admit, then respond. */
function poster(target: OwnGuardTarget): LimitTarget['post'] {
  const { client, guard } = target;
  if (client) {
    return (path, contentType, body) =>
      client.send({ method: 'POST', target: path, headers: [['content-type', contentType]], body });
  }
  return async (path, contentType, body) => {
    const endpoint = guard.signals.find((candidate) => candidate.path === path);
    if (!endpoint) throw new Error(`no endpoint at ${path}`);
    const remoteAddress = '127.0.0.1';
    const answer =
      (await endpoint.admit(remoteAddress)) ??
      (await endpoint.respond({ method: 'POST', contentType, body, remoteAddress }));
    const headers = Object.fromEntries(
      Object.entries(answer.headers).map(([name, value]) => [name, [value]]),
    );
    return { status: answer.status, headers, body: answer.body };
  };
}

beforeAll(async () => {
  server = await startKeyServer({ keys: [key.jwk] });
  transmitter = await startSignalTransmitter({ audience: AUDIENCE });
  for (const target of await ownGuardTargets('signal-limits', newGuard)) {
    targets.push(Object.assign(target, { post: poster(target) }));
  }
});

afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
  await server?.close();
  await transmitter?.close();
});

const mintFor = (sub: string) =>
  createTokenIssuer({ issuer: server.url, audience: AUDIENCE, key })({
    claims: { sub, scope: 'orders:read' },
  });
const logoutFor = (sub: string) =>
  createLogoutTokenIssuer({ issuer: server.url, clientId: CLIENT_ID, key })({ claims: { sub } });
const form = (token: string) => new URLSearchParams({ logout_token: token }).toString();

describe('conformance: the signal endpoints’ per-peer limit on every target', () => {
  it('A10 429 with Retry-After after the refused requests a peer may send; the valid logout is not applied', async () => {
    expect(targets).toHaveLength(10);
    for (const [index, target] of targets.entries()) {
      const user = `mallory-${index}`;
      const token = mintFor(user);
      const statuses: number[] = [];
      for (let i = 0; i < REFUSALS; i++)
        statuses.push((await target.post(LOGOUT, FORM, 'logout_token=x')).status);
      const held = await target.post(LOGOUT, FORM, form(logoutFor(user)));
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
      await target.guard.flushAudit();
      const records = target.records.filter((record): record is SignalEvent => record.type === 'signal');
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
