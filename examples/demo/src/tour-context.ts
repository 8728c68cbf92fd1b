/**
 * What the tour's steps draw on: two real OpenID Connect providers (the trusted one and one the API has
 * never heard of) and the tokens they issue, the API's audit trail, and the operator's revocation hook.
 * Every token comes from a provider through a real OAuth flow; only the tampered token is altered, after
 * issue, as an attacker would.
 */
import type { Revocation } from '@nevertrust/core/policy';
import {
  createDpopKey,
  type DpopKey,
  type OidcTestProvider,
  ORDERS_API,
  type TlsMaterial,
  type TokenSet,
} from '@nevertrust/testkit';
import type { AuditTrail } from './audit-trail.js';

/** Where the tour sends its requests. */
export interface TourTarget {
  /** The API over plain HTTP. */
  readonly url: string;
  /** The same API over HTTPS, asking for a client certificate. */
  readonly tlsUrl: string;
  /** The CA of the HTTPS listener's certificate, which the client trusts. */
  readonly ca: string;
  /**
   * With `--instances 2`: the plain-HTTP URL of every instance, `url` first; a request names the one it
   * goes to with `TourRequest.instance`.
   */
  readonly instances?: readonly string[];
}

/** dpop-service's key and its access token bound to that key (`cnf.jkt`, RFC 9449 §6). */
export interface DpopClient {
  readonly key: DpopKey;
  readonly accessToken: string;
  /** The API's latest `DPoP-Nonce` (RFC 9449 §9), once it has sent one. */
  nonce: string | undefined;
}

/** Everything a tour step may use. */
export interface TourContext {
  /** The provider the API trusts. */
  readonly idp: OidcTestProvider;
  /** A genuine provider the API is not configured to trust. */
  readonly rogue: OidcTestProvider;
  /** The API's listeners. */
  readonly api: TourTarget;
  /** Client certificates generated for this run (service-a, service-b) and their CA. */
  readonly tls: TlsMaterial;
  /** The API's clock tolerance, for waiting until a token has really expired. */
  readonly clockToleranceSeconds: number;
  /** What the API's guard has recorded so far. */
  readonly trail: AuditTrail;
  /** The API's revocation list, as an operator in the API's process reaches it (never over HTTP). */
  readonly revocation: Revocation;
  /** A service token (client credentials) for the orders API, or for `resource`. */
  serviceToken(clientId: string, scope: string, resource?: string): Promise<string>;
  /**
   * Tokens of a user signed in through the authorization code flow with PKCE; with `acrValues`, a fresh
   * sign-in asking the provider for that authentication level (RFC 9470 step-up).
   */
  userTokens(loginHint: string, acrValues?: string): Promise<TokenSet>;
  /** dpop-service's DPoP key and a token the provider bound to it (after its own nonce round trip). */
  dpopClient(): Promise<DpopClient>;
  /** mtls-service's token, bound to service-a's certificate presented at the provider's mTLS endpoint. */
  certificateBoundToken(): Promise<string>;
  /** Says something about what a step does behind the scenes. */
  say(line: string): void;
  /** A token with a one-second lifetime, requested when the tour starts. */
  shortLivedToken(): Promise<string>;
  /** Waits until the wall clock passes `epochSeconds`, saying why. */
  waitUntil(epochSeconds: number, why: string): Promise<void>;
}

/** The claims of a JWT, decoded without verification (to read `exp` for waiting, nothing else). */
export function unverifiedClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * Creates the context; the short-lived token is requested at once so that its expiry overlaps the tour.
 *
 * @example
 * ```ts
 * const context = createTourContext({
 *   idp, rogue, api: { ...api, ca: tls.ca }, tls, clockToleranceSeconds: 5, trail,
 *   revocation: api.guard.revocation, say: console.log,
 * });
 * ```
 */
export function createTourContext(settings: {
  idp: OidcTestProvider;
  rogue: OidcTestProvider;
  api: TourTarget;
  tls: TlsMaterial;
  clockToleranceSeconds: number;
  trail: AuditTrail;
  revocation: Revocation;
  say: (line: string) => void;
}): TourContext {
  const { idp, rogue } = settings;
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let value = memo.get(key) as Promise<T> | undefined;
    if (!value) {
      value = make();
      memo.set(key, value);
    }
    return value;
  };
  const shortLived = idp
    .clientCredentials('batch-job', { scope: 'orders:read' })
    .then((set) => set.accessToken);
  // Observed by the step that uses it; this keeps an early failure from being reported as unhandled.
  shortLived.catch(() => undefined);
  return {
    idp,
    rogue,
    api: settings.api,
    tls: settings.tls,
    clockToleranceSeconds: settings.clockToleranceSeconds,
    trail: settings.trail,
    revocation: settings.revocation,
    say: settings.say,
    serviceToken: (clientId, scope, resource = ORDERS_API) =>
      once(`service ${clientId} ${scope} ${resource}`, async () => {
        return (await idp.clientCredentials(clientId, { scope, resource })).accessToken;
      }),
    userTokens: (loginHint, acrValues) =>
      once(`user ${loginHint} ${acrValues ?? ''}`, () =>
        idp.userTokens({ loginHint, ...(acrValues !== undefined ? { acrValues } : {}) }),
      ),
    dpopClient: () =>
      once('dpop-service', async (): Promise<DpopClient> => {
        const key = await createDpopKey();
        const { accessToken } = await idp.boundClientCredentials('dpop-service', {
          scope: 'orders:read',
          dpop: key,
        });
        return { key, accessToken, nonce: undefined };
      }),
    certificateBoundToken: () =>
      once('mtls-service', async () => {
        const certificate = { cert: settings.tls.clientCert, key: settings.tls.clientKey };
        return (await idp.boundClientCredentials('mtls-service', { scope: 'orders:read', certificate }))
          .accessToken;
      }),
    shortLivedToken: () => shortLived,
    async waitUntil(epochSeconds, why) {
      const remaining = epochSeconds * 1000 - Date.now();
      if (remaining <= 0) return;
      settings.say(`waiting ${(remaining / 1000).toFixed(1)} s ${why}`);
      await new Promise((resolve) => setTimeout(resolve, remaining));
    },
  };
}
