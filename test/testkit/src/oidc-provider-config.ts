/**
 * The oidc-provider configuration of the test issuer: RFC 9068 JWT access tokens per resource indicator
 * (RFC 8707), client credentials for services, authorization code + PKCE for apps, introspection and
 * revocation, `acr`/`amr`/`auth_time` carried into user access tokens for step-up (RFC 9470), and
 * sender-constrained tokens: certificate-bound (RFC 8705) and DPoP-bound (RFC 9449, with nonces).
 */
import { errors, type ProviderClient, type ProviderToken } from 'oidc-provider';
import { socketCertificate } from './oidc-provider-bound.js';
import type { ProviderStore } from './oidc-provider-store.js';

/** An API (resource server) the provider issues access tokens for, keyed by its resource indicator. */
export interface OidcResource {
  /** Every scope the API defines. */
  readonly scopes: readonly string[];
  /** `aud` of its tokens. Default: the resource indicator itself. */
  readonly audience?: string;
  /** Access token lifetime. Default 300 seconds. */
  readonly accessTokenTtlSeconds?: number;
  /**
   * `jwt` (default): RFC 9068 JWT access tokens. `opaque`: reference tokens, which only introspection can
   * resolve (oidc-provider introspects and revokes opaque tokens only).
   */
  readonly format?: 'jwt' | 'opaque';
}

/**
 * A registered client. `service`: client credentials with a secret (a service principal). `app`: a public
 * client using the authorization code flow with PKCE (user tokens). `resource-server`: an API's own
 * credentials, allowed to introspect tokens issued for it.
 */
export interface OidcClient {
  readonly clientId: string;
  readonly kind: 'service' | 'app' | 'resource-server';
  /** Scopes the client may obtain, per resource indicator (least privilege, per client). */
  readonly resources?: Readonly<Record<string, readonly string[]>>;
  /** Overrides the resource's access token lifetime for this client, e.g. a few seconds. */
  readonly accessTokenTtlSeconds?: number;
  /**
   * Binds every token of this client: `mtls` to the certificate it presents at the mTLS token endpoint
   * (RFC 8705 §3), `dpop` to the key of its DPoP proof (RFC 9449); either is refused without its proof.
   */
  readonly binding?: 'mtls' | 'dpop';
  /**
   * `app` clients: where the provider posts a logout token (OpenID Connect Back-Channel Logout 1.0) when
   * a session of this client ends, and whether the token carries the session id (`sid`).
   */
  readonly backchannelLogoutUri?: string;
  readonly backchannelLogoutSessionRequired?: boolean;
  /**
   * `resource-server` clients: authenticate with `private_key_jwt` (RFC 7523) using the private key of
   * this public JWK instead of a client secret.
   */
  readonly assertionJwk?: Readonly<Record<string, unknown>>;
}

/** Authentication strengths the provider knows, weakest first, with the methods each one stands for. */
export interface OidcAcr {
  readonly acr: string;
  readonly amr: readonly string[];
}

/** Fully resolved launcher settings. */
export interface ResolvedProviderSettings {
  readonly resources: Readonly<Record<string, OidcResource>>;
  readonly clients: readonly OidcClient[];
  readonly accounts: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly acrs: readonly OidcAcr[];
  readonly secrets: ReadonlyMap<string, string>;
  readonly algorithm: string;
  /** Whether every DPoP proof must carry a server nonce (RFC 9449 §8). */
  readonly requireDpopNonce: boolean;
}

/** The redirect URI of every `app` client: a loopback URI as for native apps (RFC 8252 §7.3). */
export const APP_REDIRECT_URI = 'http://127.0.0.1/callback';

const DEFAULT_TTL_SECONDS = 300;

interface TokenContext {
  readonly oidc?: {
    readonly entities?: Record<string, { acr?: string; amr?: string[]; authTime?: number } | undefined>;
    readonly client?: ProviderClient;
  };
}

// Client `scope` metadata only lists the provider's own (OpenID) scopes; which API scopes a client may
// obtain is decided per resource indicator in `getResourceServerInfo`.
function clientMetadata(client: OidcClient, settings: ResolvedProviderSettings): Record<string, unknown> {
  switch (client.kind) {
    case 'service':
      return {
        client_id: client.clientId,
        client_secret: settings.secrets.get(client.clientId),
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        ...(client.binding === 'mtls' ? { tls_client_certificate_bound_access_tokens: true } : {}),
        ...(client.binding === 'dpop' ? { dpop_bound_access_tokens: true } : {}),
      };
    case 'app':
      return {
        client_id: client.clientId,
        scope: 'openid offline_access',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [APP_REDIRECT_URI],
        ...(client.backchannelLogoutUri === undefined
          ? {}
          : {
              backchannel_logout_uri: client.backchannelLogoutUri,
              backchannel_logout_session_required: client.backchannelLogoutSessionRequired ?? false,
            }),
      };
    case 'resource-server':
      return {
        client_id: client.clientId,
        grant_types: [],
        response_types: [],
        redirect_uris: [],
        ...(client.assertionJwk === undefined
          ? { client_secret: settings.secrets.get(client.clientId) }
          : { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [client.assertionJwk] } }),
      };
  }
}

function ttlFor(settings: ResolvedProviderSettings, clientId: string | undefined, resource?: string): number {
  const client = settings.clients.find((candidate) => candidate.clientId === clientId);
  return (
    client?.accessTokenTtlSeconds ??
    (resource === undefined ? undefined : settings.resources[resource]?.accessTokenTtlSeconds) ??
    DEFAULT_TTL_SECONDS
  );
}

/**
 * Builds the oidc-provider configuration.
 *
 * @example
 * ```ts
 * new Provider(issuer, providerConfiguration(settings, { jwks, store, cookieKeys }));
 * ```
 */
export function providerConfiguration(
  settings: ResolvedProviderSettings,
  runtime: {
    jwks: { keys: Record<string, unknown>[] };
    store: ProviderStore;
    cookieKeys: string[];
    /** Secret of stateless DPoP nonces, kept across restarts (32 bytes). */
    dpopNonceSecret: Buffer;
    /** Origin of the mTLS endpoint, when one is running (advertised as `mtls_endpoint_aliases`). */
    mtlsOrigin?: string | undefined;
  },
): Record<string, unknown> {
  const clientById = new Map(settings.clients.map((client) => [client.clientId, client]));
  const resourceTtl = (token: { resourceServer?: { accessTokenTTL?: number } }) =>
    token.resourceServer?.accessTokenTTL;
  return {
    adapter: runtime.store.Adapter,
    jwks: runtime.jwks,
    cookies: {
      keys: runtime.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    clients: settings.clients.map((client) => clientMetadata(client, settings)),
    clientDefaults: {
      id_token_signed_response_alg: settings.algorithm,
      // RFC 9701: every client asking for a signed introspection answer gets one, signed with the provider's key.
      introspection_signed_response_alg: settings.algorithm,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    acrValues: settings.acrs.map(({ acr }) => acr),
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'offline_access'],
    responseTypes: ['code'],
    pkce: { required: () => true, methods: ['S256'] },
    ...(runtime.mtlsOrigin
      ? { discovery: { mtls_endpoint_aliases: { token_endpoint: `${runtime.mtlsOrigin}/token` } } }
      : {}),
    features: {
      mTLS: { enabled: true, certificateBoundAccessTokens: true, getCertificate: socketCertificate },
      dPoP: {
        enabled: true,
        nonceSecret: runtime.dpopNonceSecret,
        requireNonce: () => settings.requireDpopNonce,
      },
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Only an API's own credentials may introspect, and only tokens issued for that API.
        allowedPolicy: async (_ctx: unknown, caller: ProviderClient, token: { aud?: string | string[] }) => {
          const api = clientById.get(caller.clientId);
          if (api?.kind !== 'resource-server') return false;
          const served = new Set(
            Object.keys(api.resources ?? {}).map(
              (indicator) => settings.resources[indicator]?.audience ?? indicator,
            ),
          );
          const audiences = typeof token.aud === 'string' ? [token.aud] : (token.aud ?? []);
          return audiences.some((aud) => served.has(aud));
        },
      },
      // RFC 9701: signed introspection answers for clients that ask with Accept.
      jwtIntrospection: { enabled: true },
      revocation: { enabled: true },
      // Signing out at the provider (RP-initiated logout) notifies every client of the session that
      // registered a back-channel logout URI.
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Plain pages without the provider's default styling: the test's user agent reads the form only.
        logoutSource: async (ctx: { body: unknown }, form: string) => {
          ctx.body = `<!DOCTYPE html><title>Sign out</title>${form}<button form="op.logoutForm" name="logout" value="yes">Sign out</button>`;
        },
        postLogoutSuccessSource: async (ctx: { body: unknown }) => {
          ctx.body = '<!DOCTYPE html><title>Signed out</title>';
        },
      },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string, client: ProviderClient) => {
          const granted = clientById.get(client.clientId)?.resources ?? {};
          // Own properties only: a resource indicator is request input.
          if (!Object.hasOwn(settings.resources, indicator) || !Object.hasOwn(granted, indicator)) {
            throw new errors.InvalidTarget();
          }
          const resource = settings.resources[indicator] as OidcResource;
          const allowed = granted[indicator] as readonly string[];
          return {
            scope: resource.scopes.filter((scope) => allowed.includes(scope)).join(' '),
            audience: resource.audience ?? indicator,
            accessTokenTTL: ttlFor(settings, client.clientId, indicator),
            ...(resource.format === 'opaque'
              ? { accessTokenFormat: 'opaque' }
              : { accessTokenFormat: 'jwt', jwt: { sign: { alg: settings.algorithm } } }),
          };
        },
      },
    },
    extraTokenClaims: async (ctx: TokenContext, token: ProviderToken) => {
      // RFC 9068 §2.2.1: a user's access token says how the user authenticated, for step-up (RFC 9470).
      if (!token.accountId) return undefined;
      const entities = ctx.oidc?.entities ?? {};
      const source = entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode;
      if (!source) return undefined;
      return {
        ...(source.acr !== undefined ? { acr: source.acr } : {}),
        ...(source.amr !== undefined ? { amr: source.amr } : {}),
        ...(source.authTime !== undefined ? { auth_time: source.authTime } : {}),
      };
    },
    findAccount: async (_ctx: unknown, accountId: string) => {
      const claims = settings.accounts[accountId];
      if (!claims) return undefined;
      return { accountId, claims: async () => ({ ...claims, sub: accountId }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    renderError: async (ctx: { type: string; body: unknown }, out: Record<string, string>) => {
      ctx.type = 'json';
      ctx.body = { error: out.error, error_description: out.error_description };
    },
    ttl: {
      AccessToken: (_ctx: unknown, token: ProviderToken & { resourceServer?: { accessTokenTTL?: number } }) =>
        resourceTtl(token) ?? ttlFor(settings, token.clientId),
      ClientCredentials: (
        _ctx: unknown,
        token: ProviderToken & { resourceServer?: { accessTokenTTL?: number } },
      ) => resourceTtl(token) ?? ttlFor(settings, token.clientId),
      AuthorizationCode: 60,
      IdToken: 300,
      RefreshToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
  };
}
