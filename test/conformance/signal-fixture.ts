/**
 * What the signal-endpoint suites share: a key server for the token issuer, a test transmitter, a guard
 * with both endpoints (options of the channels added per suite), the targets with a way to POST to the
 * endpoints — through the adapter's app, or (core) as an adapter does it: `admit`, then `respond` — and
 * token minters.
 */
import {
  type AuditEvent,
  type AuditRecord,
  createCallbackSink,
  createGuard,
  type Guard,
} from '@nevertrust/core';
import type { BackChannelLogoutOptions, SharedSignalsOptions } from '@nevertrust/core/policy';
import type { SignalEvent } from '@nevertrust/core/sinks';
import {
  createLogoutTokenIssuer,
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  type SignalTransmitter,
  startKeyServer,
  startSignalTransmitter,
  type TestKey,
} from '@nevertrust/testkit';
import { AUDIENCE, REALM } from './fixture.js';
import { type OwnGuardTarget, ownGuardTargets } from './own-guard-targets.js';
import type { WireResponse } from './transport.js';

export const LOGOUT = '/oidc/backchannel-logout';
export const PUSH = '/ssf/events';
export const CLIENT_ID = 'orders-api';
export const FORM = 'application/x-www-form-urlencoded';
export const SET = 'application/secevent+jwt';

/** A target, and a request to its signal endpoints. */
export interface SignalTarget extends OwnGuardTarget {
  post(path: string, contentType: string, body: string, method?: string): Promise<WireResponse>;
}

/** The senders of one suite and its targets. */
export interface SignalWorld {
  readonly key: TestKey;
  readonly server: KeyServer;
  readonly transmitter: SignalTransmitter;
  readonly targets: SignalTarget[];
  /** An access token of the issuer for `sub`. */
  mintFor(sub: string, claims?: Record<string, unknown>): string;
  /** A logout token of the issuer (signed by another key with `signWith`). */
  logoutFor(claims: Record<string, unknown>, options?: { signWith?: TestKey['privateKey'] }): string;
  close(): Promise<void>;
}

/** Extra options of the two channels, for every target's guard. */
export interface ChannelOptions {
  readonly backChannelLogout?: Partial<BackChannelLogoutOptions>;
  readonly sharedSignals?: Partial<SharedSignalsOptions>;
}

/** A POST (or `method`) to a signal endpoint: through the adapter's app, or (core) as an adapter does it. */
function poster(target: OwnGuardTarget): SignalTarget['post'] {
  const { client, guard } = target;
  if (client) {
    return (path, contentType, body, method = 'POST') =>
      client.send({ method, target: path, headers: [['content-type', contentType]], body });
  }
  return async (path, contentType, body, method = 'POST') => {
    const endpoint = guard.signals.find((candidate) => candidate.path === path);
    if (!endpoint) throw new Error(`no signal endpoint at ${path}`);
    const answer =
      (await endpoint.admit(undefined)) ?? (await endpoint.respond({ method, contentType, body }));
    const headers = Object.fromEntries(
      Object.entries(answer.headers).map(([name, value]) => [name, [value]]),
    );
    return { status: answer.status, headers, body: answer.body };
  };
}

/**
 * Starts the senders and the targets (prefix names the suite's apps).
 *
 * @example
 * ```ts
 * const world = await startSignalWorld('signals', 'signals-1');
 * ```
 */
export async function startSignalWorld(
  prefix: string,
  kid: string,
  channels: ChannelOptions = {},
): Promise<SignalWorld> {
  const key = generateTestKey('ES256', kid);
  const server = await startKeyServer({ keys: [key.jwk] });
  const transmitter = await startSignalTransmitter({ audience: AUDIENCE });
  const newGuard = (records: AuditRecord[], events: AuditEvent[]): Guard =>
    createGuard({
      issuers: [{ issuer: server.url, audience: AUDIENCE, jwksUri: server.jwksUri }],
      realm: REALM,
      keyFetch: { ca: [server.ca ?? ''], timeoutMs: 2000 },
      onAudit: (event) => events.push(event),
      audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
      backChannelLogout: {
        path: LOGOUT,
        clientIds: [CLIENT_ID],
        maxBodyBytes: 4096,
        ...channels.backChannelLogout,
      },
      sharedSignals: {
        path: PUSH,
        transmitters: [
          {
            issuer: transmitter.issuer,
            audience: AUDIENCE,
            jwksUri: transmitter.jwksUri,
            subjectIssuers: [server.url],
          },
        ],
        ...channels.sharedSignals,
      },
    });
  const targets = (await ownGuardTargets(prefix, newGuard)).map((target) =>
    Object.assign(target, { post: poster(target) }),
  );
  return {
    key,
    server,
    transmitter,
    targets,
    mintFor: (sub, claims = {}) =>
      createTokenIssuer({ issuer: server.url, audience: AUDIENCE, key })({
        claims: { sub, scope: 'orders:read', ...claims },
      }),
    logoutFor: (claims, options = {}) =>
      createLogoutTokenIssuer({ issuer: server.url, clientId: CLIENT_ID, key })({ claims, ...options }),
    async close() {
      await Promise.all(targets.map((target) => target.close()));
      await server.close();
      await transmitter.close();
    },
  };
}

/** A form body with one `logout_token`. */
export const form = (token: string): string => new URLSearchParams({ logout_token: token }).toString();

/**
 * The `signal` records a target's guard has written so far.
 *
 * @example
 * ```ts
 * (await signalRecords(target)).map((record) => record.reason);
 * ```
 */
export async function signalRecords(target: SignalTarget): Promise<SignalEvent[]> {
  await target.guard.flushAudit();
  return target.records.filter((record): record is SignalEvent => record.type === 'signal');
}
