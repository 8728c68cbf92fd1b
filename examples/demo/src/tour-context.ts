/**
 * What the tour's steps draw on: two real OpenID Connect providers (the trusted one and one the API has
 * never heard of) and the tokens they issue. Every token comes from a provider through a real OAuth flow;
 * only the tampered token is altered, after issue, as an attacker would.
 */
import { type OidcTestProvider, ORDERS_API, type TokenSet } from '@nevertrust/testkit';

/** Everything a tour step may use. */
export interface TourContext {
  /** The provider the API trusts. */
  readonly idp: OidcTestProvider;
  /** A genuine provider the API is not configured to trust. */
  readonly rogue: OidcTestProvider;
  /** The API's clock tolerance, for waiting until a token has really expired. */
  readonly clockToleranceSeconds: number;
  /** A service token (client credentials) for the orders API, or for `resource`. */
  serviceToken(clientId: string, scope: string, resource?: string): Promise<string>;
  /** Tokens of a user signed in through the authorization code flow with PKCE. */
  userTokens(loginHint: string): Promise<TokenSet>;
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
 * const context = createTourContext({ idp, rogue, clockToleranceSeconds: 5, say: console.log });
 * ```
 */
export function createTourContext(settings: {
  idp: OidcTestProvider;
  rogue: OidcTestProvider;
  clockToleranceSeconds: number;
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
    clockToleranceSeconds: settings.clockToleranceSeconds,
    serviceToken: (clientId, scope, resource = ORDERS_API) =>
      once(`service ${clientId} ${scope} ${resource}`, async () => {
        return (await idp.clientCredentials(clientId, { scope, resource })).accessToken;
      }),
    userTokens: (loginHint) => once(`user ${loginHint}`, () => idp.userTokens({ loginHint })),
    shortLivedToken: () => shortLived,
    async waitUntil(epochSeconds, why) {
      const remaining = epochSeconds * 1000 - Date.now();
      if (remaining <= 0) return;
      settings.say(`waiting ${(remaining / 1000).toFixed(1)} s ${why}`);
      await new Promise((resolve) => setTimeout(resolve, remaining));
    },
  };
}
