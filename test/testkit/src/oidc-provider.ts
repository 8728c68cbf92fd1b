/**
 * A real OpenID Connect provider (oidc-provider 8) for tests and the demo, on plain HTTP at 127.0.0.1 with a
 * free port (nevertrust accepts `http:` key URLs on loopback hosts only). Signing keys, client secrets and
 * cookie keys are generated at start-up. The provider can rotate its keys and go down and come back on the
 * same port, the events key fetching must survive.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { generateTestKey, type TestKey } from './keys.js';
import {
  type BoundTokenSet,
  type ClientCertificate,
  type DpopKey,
  requestBoundClientCredentials,
  startMtlsEndpoint,
} from './oidc-provider-bound.js';
import {
  fetchProviderMetadata,
  introspectToken,
  requestClientCredentials,
  revokeToken,
  type TokenSet,
} from './oidc-provider-client.js';
import {
  APP_REDIRECT_URI,
  type OidcAcr,
  type OidcClient,
  type OidcResource,
  providerConfiguration,
  type ResolvedProviderSettings,
} from './oidc-provider-config.js';
import { DEFAULT_ACRS, DEFAULT_OIDC_FIXTURES } from './oidc-provider-fixtures.js';
import { completeInteraction } from './oidc-provider-interactions.js';
import { createUserSessions } from './oidc-provider-logout.js';
import { createProviderStore } from './oidc-provider-store.js';

export { OAuthResponseError, type TokenSet } from './oidc-provider-client.js';
export type { OidcAcr, OidcClient, OidcResource } from './oidc-provider-config.js';
export { BILLING_API, DEFAULT_ACRS, DEFAULT_OIDC_FIXTURES, ORDERS_API } from './oidc-provider-fixtures.js';

/** Options of {@link startOidcProvider}; each list replaces the default fixtures' list. */
export interface OidcProviderOptions {
  readonly resources?: Readonly<Record<string, OidcResource>>;
  readonly clients?: readonly OidcClient[];
  readonly accounts?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly acrs?: readonly OidcAcr[];
  /** Signing algorithm of ID and access tokens. Default RS256 (the one RFC 9068 §4 requires). */
  readonly algorithm?: 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
  /** Also serve an mTLS endpoint (HTTPS, client certificates requested) for certificate-bound tokens. */
  readonly mtlsEndpoint?: boolean;
  /** Require a server nonce in every DPoP proof. Default false (nonces are still issued and honoured). */
  readonly requireDpopNonce?: boolean;
}

/** Options of a user-token flow. */
export interface UserTokenRequest {
  /** Who signs in. */
  readonly loginHint: string;
  /** An `app` client; default the first one. */
  readonly clientId?: string;
  /** Default: the first resource the client may use. */
  readonly resource?: string;
  /** Default: `openid` and every scope the client may obtain for the resource. */
  readonly scope?: string;
  readonly acrValues?: string;
}

/** A running provider. */
export interface OidcTestProvider {
  /** The issuer identifier, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Published key ids, the signing key first. */
  readonly keyIds: readonly string[];
  /** The generated secret of a `service` or `resource-server` client. */
  clientSecret(clientId: string): string;
  /** A service token (client credentials). `resource` defaults to the client's first resource. */
  clientCredentials(clientId: string, request?: { resource?: string; scope?: string }): Promise<TokenSet>;
  /** The token endpoint of the mTLS endpoint (`mtlsEndpoint: true`), where certificates bind tokens. */
  readonly mtlsTokenEndpoint: string | undefined;
  /**
   * A sender-constrained service token: bound to `certificate` (sent to the mTLS endpoint) and/or to
   * the `dpop` key (its proof answers a nonce challenge once).
   */
  boundClientCredentials(
    clientId: string,
    request: { resource?: string; scope?: string; certificate?: ClientCertificate; dpop?: DpopKey },
  ): Promise<BoundTokenSet>;
  /** A user token through the authorization code flow with PKCE (and an ID token with `openid`). */
  userTokens(request: UserTokenRequest): Promise<TokenSet>;
  /**
   * RFC 7662 introspection with a `resource-server` client's credentials (default the first one).
   * oidc-provider resolves opaque tokens only (resources with `format: 'opaque'`); a JWT is `active: false`.
   */
  introspect(token: string, clientId?: string): Promise<Record<string, unknown>>;
  /**
   * Signs the user out at the provider, ending the session `idToken` (from {@link userTokens}) was issued
   * in: the provider posts a back-channel logout token to each of the session's clients that registered
   * a `backchannelLogoutUri`, and has their answers, before this resolves.
   */
  signOut(idToken: string): Promise<void>;
  /**
   * Registers (or replaces) the back-channel logout URI of an `app` client on the running provider, for an
   * API that starts after it; the provider restarts its configuration on the same port and storage.
   */
  registerBackchannelLogout(clientId: string, uri: string): Promise<void>;
  /** RFC 7009 revocation by the client the token was issued to (opaque tokens, as for introspection). */
  revoke(token: string, clientId: string): Promise<void>;
  /**
   * Generates a new signing key and restarts the provider with it, on the same port and storage. The old
   * key stays published (for tokens still in flight) unless `retirePrevious`. Returns the new key id.
   */
  rotateKeys(options?: { retirePrevious?: boolean }): Promise<string>;
  /** Takes the provider down: the port refuses connections until {@link start}. */
  stop(): Promise<void>;
  /** Brings a stopped provider back on the same port. */
  start(): Promise<void>;
  /** Requests received for a path, e.g. `/jwks`. */
  requests(path: string): number;
  close(): Promise<void>;
}

function privateJwk(key: TestKey): Record<string, unknown> {
  return { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid, alg: key.alg, use: 'sig' };
}

function resolveSettings(options: OidcProviderOptions): ResolvedProviderSettings {
  const clients = options.clients ?? DEFAULT_OIDC_FIXTURES.clients;
  const secrets = new Map<string, string>();
  for (const client of clients) {
    if (client.kind !== 'app') secrets.set(client.clientId, randomBytes(32).toString('base64url'));
  }
  return {
    resources: options.resources ?? DEFAULT_OIDC_FIXTURES.resources,
    clients,
    accounts: options.accounts ?? DEFAULT_OIDC_FIXTURES.accounts,
    acrs: options.acrs ?? DEFAULT_ACRS,
    secrets,
    algorithm: options.algorithm ?? 'RS256',
    requireDpopNonce: options.requireDpopNonce ?? false,
  };
}

/**
 * Starts an OpenID Connect provider on 127.0.0.1 with a free port.
 *
 * @example
 * ```ts
 * const idp = await startOidcProvider();
 * const guard = createGuard({ issuers: [{ issuer: idp.issuer, audience: ORDERS_API }] });
 * const { accessToken } = await idp.clientCredentials('reporting-service', { scope: 'orders:read' });
 * ```
 */
export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<OidcTestProvider> {
  let settings = resolveSettings(options);
  const store = createProviderStore();
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const dpopNonceSecret = randomBytes(32);
  const algorithm = options.algorithm ?? 'RS256';
  let keys: TestKey[] = [generateTestKey(algorithm)];
  const hits = new Map<string, number>();
  let current: { provider: Provider; handle: (req: IncomingMessage, res: ServerResponse) => void };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const { provider, handle } = current;
    if (request.method === 'GET' && path.startsWith('/interaction/')) {
      completeInteraction(provider, settings, request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"error":"server_error"}');
      });
      return;
    }
    handle(request, response);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const mtls = options.mtlsEndpoint
    ? await startMtlsEndpoint((req, res) => current.handle(req, res))
    : undefined;
  const users = createUserSessions(issuer);

  const instantiate = () => {
    const configuration = providerConfiguration(settings, {
      jwks: { keys: keys.map(privateJwk) },
      store,
      cookieKeys,
      dpopNonceSecret,
      mtlsOrigin: mtls?.url,
    });
    const provider = new Provider(issuer, configuration);
    current = { provider, handle: provider.callback() };
  };
  instantiate();

  const secretOf = (clientId: string): string => {
    const secret = settings.secrets.get(clientId);
    if (secret === undefined) throw new Error(`no confidential client ${clientId}`);
    return secret;
  };
  const clientOf = (clientId: string | undefined, kind: OidcClient['kind']): OidcClient => {
    const client = settings.clients.find(
      (c) => (clientId === undefined || c.clientId === clientId) && c.kind === kind,
    );
    if (!client) throw new Error(`no ${kind} client ${clientId ?? ''}`.trim());
    return client;
  };
  const firstResource = (client: OidcClient): string => {
    const resource = Object.keys(client.resources ?? {})[0];
    if (resource === undefined) throw new Error(`client ${client.clientId} has no resource`);
    return resource;
  };
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    get keyIds() {
      return keys.map((key) => key.kid);
    },
    clientSecret: secretOf,
    async clientCredentials(clientId, request = {}) {
      const client = clientOf(clientId, 'service');
      return requestClientCredentials(issuer, {
        clientId,
        clientSecret: secretOf(clientId),
        resource: request.resource ?? firstResource(client),
        ...(request.scope !== undefined ? { scope: request.scope } : {}),
      });
    },
    mtlsTokenEndpoint: mtls ? `${mtls.url}/token` : undefined,
    async boundClientCredentials(clientId, request) {
      const client = clientOf(clientId, 'service');
      const tokenEndpoint = request.certificate ? mtls && `${mtls.url}/token` : `${issuer}/token`;
      if (!tokenEndpoint)
        throw new Error('certificate-bound tokens need startOidcProvider({ mtlsEndpoint: true })');
      return requestBoundClientCredentials({
        ...request,
        tokenEndpoint,
        clientId,
        clientSecret: secretOf(clientId),
        resource: request.resource ?? firstResource(client),
      });
    },
    async userTokens(request) {
      const client = clientOf(request.clientId, 'app');
      const resource = request.resource ?? firstResource(client);
      const scope = request.scope ?? ['openid', ...(client.resources?.[resource] ?? [])].join(' ');
      return users.signIn({
        clientId: client.clientId,
        redirectUri: APP_REDIRECT_URI,
        resource,
        scope,
        loginHint: request.loginHint,
        ...(request.acrValues !== undefined ? { acrValues: request.acrValues } : {}),
      });
    },
    signOut: (idToken) => users.signOut(idToken),
    async registerBackchannelLogout(clientId, uri) {
      clientOf(clientId, 'app');
      const clients = settings.clients.map((client) =>
        client.clientId === clientId ? { ...client, backchannelLogoutUri: uri } : client,
      );
      settings = { ...settings, clients };
      instantiate();
    },
    async introspect(token, clientId) {
      const client = clientOf(clientId, 'resource-server');
      return introspectToken(issuer, {
        clientId: client.clientId,
        clientSecret: secretOf(client.clientId),
        token,
      });
    },
    async revoke(token, clientId) {
      await revokeToken(issuer, { clientId, clientSecret: secretOf(clientId), token });
    },
    async rotateKeys(rotation = {}) {
      const next = generateTestKey(algorithm);
      keys = rotation.retirePrevious ? [next] : [next, ...keys];
      instantiate();
      // Fail loudly here, not in a later assertion, if the new instance cannot serve its metadata.
      await fetchProviderMetadata(issuer);
      return next.kid;
    },
    stop: close,
    async start() {
      if (!server.listening) await listen(port);
    },
    requests(path) {
      return hits.get(path) ?? 0;
    },
    async close() {
      await mtls?.close();
      if (server.listening) await close();
    },
  };
}
