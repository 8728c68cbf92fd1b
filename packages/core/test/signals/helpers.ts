/**
 * Set-up of the signal tests: a guard trusting the harness issuer, with the back-channel logout and
 * Shared Signals endpoints, a test transmitter whose keys a real key server on 127.0.0.1 publishes, and
 * the `signal` records the guard wrote.
 */
import { createLogoutTokenIssuer, type SignalTransmitter, startSignalTransmitter } from '@nevertrust/testkit';
import {
  type AuditRecord,
  createCallbackSink,
  type GuardOptions,
  type SignalOptions,
} from '../../src/index.js';
import type { SignalEvent } from '../../src/sinks.js';
import { AUDIENCE, type Harness, harness, ISSUER } from '../support.js';

export const LOGOUT_PATH = '/oidc/backchannel-logout';
export const PUSH_PATH = '/ssf/events';
export const CLIENT_ID = 'orders-api';
export const FORM = 'application/x-www-form-urlencoded';
export const SET_TYPE = 'application/secevent+jwt';

/** A signal harness: the core harness, its endpoints, a transmitter and a logout token minter. */
export interface SignalHarness extends Harness {
  readonly transmitter: SignalTransmitter;
  readonly records: AuditRecord[];
  readonly logout: ReturnType<typeof createLogoutTokenIssuer>;
  /** POSTs a logout token form body (or `body` as given) to the logout endpoint. */
  postLogout(body: string, contentType?: string, method?: string): ReturnType<Endpoint['respond']>;
  /** POSTs a SET to the push endpoint. */
  pushSet(body: string, contentType?: string): ReturnType<Endpoint['respond']>;
  /** The `signal` records written so far (after flushing the audit trail). */
  signals(): Promise<SignalEvent[]>;
  close(): Promise<void>;
}

type Endpoint = Harness['guard']['signals'][number];

/**
 * Starts a signal harness.
 *
 * @example
 * ```ts
 * const h = await signalHarness({ backChannelLogout: { scope: 'session' } });
 * ```
 */
export async function signalHarness(
  overrides: {
    backChannelLogout?: Partial<NonNullable<SignalOptions['backChannelLogout']>>;
    sharedSignals?: Partial<NonNullable<SignalOptions['sharedSignals']>>;
    guard?: Partial<GuardOptions>;
  } = {},
): Promise<SignalHarness> {
  const records: AuditRecord[] = [];
  // The transmitter signs at the harness clock's time, once the harness exists.
  let clockNow = () => 0;
  const transmitter = await startSignalTransmitter({ audience: AUDIENCE, now: () => clockNow() });
  const h = harness({
    guard: {
      audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
      backChannelLogout: { path: LOGOUT_PATH, clientIds: [CLIENT_ID], ...overrides.backChannelLogout },
      sharedSignals: {
        path: PUSH_PATH,
        transmitters: [
          {
            issuer: transmitter.issuer,
            audience: AUDIENCE,
            jwksUri: transmitter.jwksUri,
            subjectIssuers: [ISSUER],
          },
        ],
        ...overrides.sharedSignals,
      },
      ...overrides.guard,
    },
  });
  clockNow = () => h.clock.seconds;
  const [logoutEndpoint, pushEndpoint] = h.guard.signals as [Endpoint, Endpoint];
  return {
    ...h,
    transmitter,
    records,
    logout: createLogoutTokenIssuer({ issuer: ISSUER, clientId: CLIENT_ID, key: h.key, now: clockNow }),
    postLogout: (body, contentType = FORM, method = 'POST') =>
      logoutEndpoint.respond({ method, contentType, body, remoteAddress: '127.0.0.1' }),
    pushSet: (body, contentType = SET_TYPE) =>
      pushEndpoint.respond({ method: 'POST', contentType, body, remoteAddress: '127.0.0.1' }),
    async signals() {
      await h.guard.flushAudit();
      return records.filter((record): record is SignalEvent => record.type === 'signal');
    },
    async close() {
      await h.guard.close();
      await transmitter.close();
    },
  };
}

/** A form body with one `logout_token`. */
export const form = (token: string): string => new URLSearchParams({ logout_token: token }).toString();
