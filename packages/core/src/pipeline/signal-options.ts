/**
 * The options of the identity provider's signal channels — OpenID Connect Back-Channel Logout and Shared
 * Signals / CAEP push — and their zod schemas, plugged into the guard's one options schema.
 */
import * as z from 'zod/mini';
import { keysSchema, keyUrl } from '../keys/options.js';
import { lazySchema } from '../model/lazy-schema.js';
import { intIn, nonEmptyString } from '../model/schema-parts.js';
import type { SessionScope } from '../signals/cut-off.js';
import type { PeerLimitOptions } from '../signals/peer-limit.js';
import type { ReplayStore } from '../signals/replay-store.js';
import { ASYMMETRIC_ALGORITHMS, type SignatureAlgorithm } from '../token/algorithms.js';

/** Settings shared by both channels. */
export interface SignalChannelOptions {
  /** Where the endpoint is served, e.g. `/oidc/backchannel-logout`: an absolute path, exactly (no query). */
  readonly path: string;
  /**
   * When a signal names both a user and a session: `'subject'` (default) cuts off every token of the
   * user — an access token without a `sid` claim cannot be tied to a session — `'session'` only tokens
   * carrying that `sid`.
   */
  readonly scope?: SessionScope;
  /** Oldest accepted `iat`, in seconds. Default 300 (logout) and 600 (Shared Signals). */
  readonly maxAgeSeconds?: number;
  /** Largest accepted request body. Default 16 384 bytes. */
  readonly maxBodyBytes?: number;
  /** Where used `jti`s are remembered; share one between instances. Default: in process, 10 000 entries. */
  readonly replay?: ReplayStore;
  /**
   * Refused requests a peer address may send in a sliding window before it is answered 429 with
   * `Retry-After`, its body unread: those anyone could send (400, 405, 413, a bad signature, a replay, 429);
   * a token whose signature verified never counts. In process, per endpoint.
   * Default `{ refusals: 30, windowSeconds: 60 }`; `false` turns the limit off.
   */
  readonly peerLimit?: PeerLimitOptions | false;
}

/** OpenID Connect Back-Channel Logout 1.0: the provider posts a logout token when a session ends. */
export interface BackChannelLogoutOptions extends SignalChannelOptions {
  /** The client id(s) registered with the provider for this endpoint; a logout token's `aud` must name one. */
  readonly clientIds: readonly string[];
  /** Issuers (of `issuers`) whose logout tokens are accepted, verified with their keys. Default: all. */
  readonly issuers?: readonly string[];
}

/** A Shared Signals transmitter that pushes Security Event Tokens to the API. */
export interface TransmitterOptions {
  /** The exact `iss` of its SETs. */
  readonly issuer: string;
  /** The audience value(s) it uses for this receiver; a SET's `aud` must name one. */
  readonly audience: string | readonly string[];
  /** Its keys: a JWKS URL (https, or http on loopback)… */
  readonly jwksUri?: string;
  /** …or static public keys (JWKs, a JWK set, or PEM strings). */
  readonly keys?:
    | readonly (string | Record<string, unknown>)[]
    | { readonly keys: readonly Record<string, unknown>[] };
  /** Accepted signature algorithms. Default: the asymmetric ones. */
  readonly algorithms?: readonly SignatureAlgorithm[];
  /** Token issuers (of `issuers`) whose subjects it may cut off. Default: `[issuer]`. */
  readonly subjectIssuers?: readonly string[];
}

/** Shared Signals / CAEP: RFC 8935 push delivery of Security Event Tokens. */
export interface SharedSignalsOptions extends SignalChannelOptions {
  readonly transmitters: readonly TransmitterOptions[];
}

/** The guard options of both channels. */
export interface SignalOptions {
  /** Serve an OpenID Connect Back-Channel Logout endpoint. Off by default. */
  readonly backChannelLogout?: BackChannelLogoutOptions;
  /** Serve a Shared Signals (CAEP) push endpoint. Off by default. */
  readonly sharedSignals?: SharedSignalsOptions;
}

const nonEmpty = (message: string) => z.minLength(1, message);

function signalShape() {
  const text = nonEmptyString();
  const channelShape = {
    path: z.string().check(
      z.regex(/^\/[\x21-\x7e]*$/, 'expected an absolute path of printable characters'),
      z.refine((value) => !/[?#]/.test(value), 'expected a path without query or fragment'),
    ),
    scope: z.optional(z.enum(['subject', 'session'])),
    maxAgeSeconds: z.optional(intIn(10, 86_400)),
    maxBodyBytes: z.optional(intIn(1024, 1_048_576)),
    peerLimit: z.optional(
      z.union([
        z.literal(false),
        z.strictObject({ refusals: intIn(1, 1_000_000), windowSeconds: intIn(1, 86_400) }),
      ]),
    ),
    replay: z.optional(
      z.custom<ReplayStore>(
        (value) =>
          typeof (value as ReplayStore | null)?.remember === 'function' &&
          typeof (value as ReplayStore).forget === 'function',
        { message: 'expected a replay store { remember, forget }' },
      ),
    ),
  };
  const transmitterSchema = z
    .strictObject({
      issuer: text,
      audience: z.union([text, z.array(text).check(nonEmpty('expected at least one audience'))], {
        error: 'expected a non-empty string or an array of them',
      }),
      jwksUri: z.optional(keyUrl()),
      keys: z.optional(keysSchema()),
      algorithms: z.optional(
        z.array(z.enum(ASYMMETRIC_ALGORITHMS)).check(nonEmpty('expected at least one algorithm')),
      ),
      subjectIssuers: z.optional(z.array(text).check(nonEmpty('expected at least one issuer'))),
    })
    .check(
      z.refine((value) => (value.jwksUri === undefined) !== (value.keys === undefined), {
        message: 'expected one key source: jwksUri or keys',
      }),
    );
  return {
    backChannelLogout: z.optional(
      z.strictObject({
        ...channelShape,
        clientIds: z.array(text).check(nonEmpty('expected at least one client id')),
        issuers: z.optional(z.array(text).check(nonEmpty('expected at least one issuer'))),
      }),
    ),
    sharedSignals: z.optional(
      z.strictObject({
        ...channelShape,
        transmitters: z.array(transmitterSchema).check(nonEmpty('expected at least one transmitter')),
      }),
    ),
  };
}

/**
 * The guard schema's members for the signal channels (built on first use).
 *
 * @example
 * ```ts
 * const guardSchema = z.strictObject({ issuers, ...signalOptionsShape() });
 * ```
 */
export const signalOptionsShape = lazySchema(signalShape);
