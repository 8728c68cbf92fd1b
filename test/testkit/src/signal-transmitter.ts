/**
 * The identity provider's side of the signal channels, for tests: a Shared Signals transmitter that signs
 * Security Event Tokens (RFC 8417) with its own key, published by a real key server, and pushes them
 * (RFC 8935); and a minter of OpenID Connect Back-Channel Logout tokens for a test issuer. Every claim and
 * header can be overridden or removed, so the error paths are as easy to produce as the valid tokens.
 */
import { randomUUID } from 'node:crypto';
import { type KeyServer, startKeyServer } from './key-server.js';
import { generateTestKey, type TestKey } from './keys.js';
import { type MintOptions, signToken } from './tokens.js';

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';

/** The CAEP 1.0 event type URIs. */
export const CAEP_EVENT_TYPES = {
  sessionRevoked: `${CAEP}session-revoked`,
  credentialChange: `${CAEP}credential-change`,
  tokenClaimsChange: `${CAEP}token-claims-change`,
  assuranceLevelChange: `${CAEP}assurance-level-change`,
} as const;

/** The back-channel logout event type URI. */
export const BACKCHANNEL_LOGOUT_EVENT_TYPE = 'http://schemas.openid.net/event/backchannel-logout';

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function mint(
  key: TestKey,
  typ: string,
  defaults: Record<string, unknown>,
  options: Omit<MintOptions, 'lifetime'>,
): string {
  const header = withoutUndefined({ alg: key.alg, typ, kid: key.kid, ...options.header });
  const payload = withoutUndefined({ ...defaults, ...options.claims });
  return signToken({ header, payload }, options.signWith ?? key.privateKey, header.alg as string);
}

/** Settings of {@link createLogoutTokenIssuer}. */
export interface LogoutTokenSettings {
  readonly issuer: string;
  /** The client id the logout token is addressed to (`aud`). */
  readonly clientId: string;
  readonly key: TestKey;
  /** Seconds since the epoch; defaults to the real clock. */
  readonly now?: () => number;
}

/**
 * Mints logout tokens (BCL 1.0 §2.4) for a test issuer: `typ: logout+jwt`, `sub: 'user-1'`, a fresh
 * `jti`, the logout event; `options.claims` overrides or (with `undefined`) removes any of them.
 *
 * @example
 * ```ts
 * const logout = createLogoutTokenIssuer({ issuer: server.url, clientId: 'api', key });
 * const token = logout({ claims: { sid: 'session-1' } });
 * ```
 */
export function createLogoutTokenIssuer(
  settings: LogoutTokenSettings,
): (options?: Omit<MintOptions, 'lifetime'>) => string {
  return (options = {}) =>
    mint(
      settings.key,
      'logout+jwt',
      {
        iss: settings.issuer,
        aud: settings.clientId,
        iat: Math.floor(settings.now?.() ?? Date.now() / 1000),
        jti: randomUUID(),
        sub: 'user-1',
        events: { [BACKCHANNEL_LOGOUT_EVENT_TYPE]: {} },
      },
      options,
    );
}

/** One SET to sign. */
export interface SetOptions extends Omit<MintOptions, 'lifetime'> {
  /** Event type URI. */
  readonly event: string;
  /** The event's payload (default `{}`). */
  readonly payload?: Record<string, unknown>;
  /** The RFC 9493 subject identifier (`sub_id`); default `{ format: 'opaque', id: 'user-1' }`. */
  readonly subject?: unknown;
}

/** A running test transmitter. */
export interface SignalTransmitter {
  /** Its `iss`: the key server's URL. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** CA of the key server's certificate, for `keyFetch.ca`. */
  readonly ca: string | undefined;
  readonly key: TestKey;
  readonly server: KeyServer;
  /** Signs a SET (`typ: secevent+jwt`) for `audience`. */
  sign(options: SetOptions): string;
  /** Pushes a SET to a receiver (RFC 8935 §2): status, headers and body of the answer. */
  push(
    url: string,
    set: string,
    init?: { contentType?: string; fetchOptions?: RequestInit },
  ): Promise<{ status: number; headers: Headers; body: string }>;
  close(): Promise<void>;
}

/**
 * Starts a transmitter: a fresh ES256 key, published by its own key server on 127.0.0.1.
 *
 * @example
 * ```ts
 * const transmitter = await startSignalTransmitter({ audience: 'https://api.example.com' });
 * const set = transmitter.sign({ event: CAEP_EVENT_TYPES.credentialChange, payload: { credential_type: 'password', change_type: 'update' } });
 * ```
 */
export async function startSignalTransmitter(settings: {
  readonly audience: string;
  readonly https?: boolean;
  /** Seconds since the epoch; defaults to the real clock. */
  readonly now?: () => number;
}): Promise<SignalTransmitter> {
  const key = generateTestKey('ES256', `transmitter-${randomUUID().slice(0, 8)}`);
  const server = await startKeyServer({ keys: [key.jwk], https: settings.https ?? false });
  return {
    issuer: server.url,
    jwksUri: server.jwksUri,
    ca: server.ca,
    key,
    server,
    sign(options) {
      return mint(
        key,
        'secevent+jwt',
        {
          iss: server.url,
          aud: settings.audience,
          iat: Math.floor(settings.now?.() ?? Date.now() / 1000),
          jti: randomUUID(),
          sub_id: options.subject ?? { format: 'opaque', id: 'user-1' },
          events: { [options.event]: options.payload ?? {} },
        },
        options,
      );
    },
    async push(url, set, init = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': init.contentType ?? 'application/secevent+jwt',
          accept: 'application/json',
        },
        body: set,
        signal: AbortSignal.timeout(5000),
        ...init.fetchOptions,
      });
      return { status: response.status, headers: response.headers, body: await response.text() };
    },
    close: () => server.close(),
  };
}
