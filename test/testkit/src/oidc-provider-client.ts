/**
 * An OAuth 2.0 client for the test provider, speaking plain HTTP to its endpoints as found in its discovery
 * document: client credentials (RFC 6749 §4.4), authorization code with PKCE (RFC 7636) and resource
 * indicators (RFC 8707), and introspection (RFC 7662). Nothing is forged: every token comes from the provider.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A token endpoint response. */
export interface TokenSet {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  readonly scope: string | undefined;
  readonly idToken?: string;
  readonly refreshToken?: string;
}

/** An OAuth error response from the provider. */
export class OAuthResponseError extends Error {
  readonly error: string;
  readonly status: number;

  constructor(status: number, error: string, description: string | undefined) {
    super(`provider answered ${status} ${error}${description ? `: ${description}` : ''}`);
    this.name = 'OAuthResponseError';
    this.error = error;
    this.status = status;
  }
}

/** Options of an authorization code flow. */
export interface AuthorizationCodeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly resource: string;
  /** Space-separated scopes; `openid` yields an ID token as well. */
  readonly scope: string;
  /** The account that signs in. */
  readonly loginHint?: string;
  /** Requested authentication context classes, space-separated (OIDC Core §3.1.2.1). */
  readonly acrValues?: string;
}

const MAX_REDIRECTS = 10;

async function readJson(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new OAuthResponseError(response.status, 'invalid_response', 'not JSON');
  }
  if (typeof body !== 'object' || body === null) {
    throw new OAuthResponseError(response.status, 'invalid_response', 'not an object');
  }
  const record = body as Record<string, unknown>;
  if (!response.ok || typeof record.error === 'string') {
    throw new OAuthResponseError(
      response.status,
      String(record.error ?? 'http_error'),
      typeof record.error_description === 'string' ? record.error_description : undefined,
    );
  }
  return record;
}

function toTokenSet(body: Record<string, unknown>): TokenSet {
  if (typeof body.access_token !== 'string')
    throw new OAuthResponseError(200, 'invalid_response', 'no token');
  return {
    accessToken: body.access_token,
    tokenType: String(body.token_type),
    expiresIn: Number(body.expires_in),
    scope: typeof body.scope === 'string' ? body.scope : undefined,
    ...(typeof body.id_token === 'string' ? { idToken: body.id_token } : {}),
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
  };
}

/**
 * Reads the provider's OpenID Connect discovery document.
 *
 * @example
 * ```ts
 * const { token_endpoint } = await fetchProviderMetadata('http://127.0.0.1:4000');
 * ```
 */
export async function fetchProviderMetadata(issuer: string): Promise<Record<string, unknown>> {
  return readJson(await fetch(`${issuer}/.well-known/openid-configuration`));
}

async function endpoint(issuer: string, name: string): Promise<string> {
  const value = (await fetchProviderMetadata(issuer))[name];
  if (typeof value !== 'string') throw new Error(`the provider advertises no ${name}`);
  return value;
}

function basicAuth(clientId: string, secret: string): string {
  // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/**
 * Obtains a service token with the client credentials grant.
 *
 * @example
 * ```ts
 * const { accessToken } = await requestClientCredentials(issuer, { clientId, clientSecret, resource, scope: 'orders:read' });
 * ```
 */
export async function requestClientCredentials(
  issuer: string,
  request: { clientId: string; clientSecret: string; resource: string; scope?: string },
): Promise<TokenSet> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', resource: request.resource });
  if (request.scope !== undefined) form.set('scope', request.scope);
  const response = await fetch(await endpoint(issuer, 'token_endpoint'), {
    method: 'POST',
    headers: { authorization: basicAuth(request.clientId, request.clientSecret) },
    body: form,
  });
  return toTokenSet(await readJson(response));
}

/** A minimal cookie jar for one user agent talking to one host. */
/** A user agent's cookies for one provider: what keeps the user signed in there. */
export type CookieJar = ReturnType<typeof cookieJar>;

/** An empty cookie jar. */
export function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    store(response: Response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';');
        const split = pair.indexOf('=');
        const name = pair.slice(0, split).trim();
        const value = pair.slice(split + 1).trim();
        const expired = attributes.some((attribute) => {
          const [key = '', date = ''] = attribute.trim().split('=');
          return key.toLowerCase() === 'expires' && Date.parse(date) <= Date.now();
        });
        if (expired || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
    },
  };
}

/**
 * Runs the authorization code flow with PKCE as a user agent would: the provider's authorization endpoint,
 * its interaction (completed by the launcher for `loginHint`), the redirect back with `code`, `state` and
 * `iss` (RFC 9207), then the code exchange at the token endpoint.
 *
 * @example
 * ```ts
 * const tokens = await runAuthorizationCode(issuer, { clientId: 'web-app', redirectUri, resource, scope: 'openid orders:read', loginHint: 'alice' });
 * ```
 */
export async function runAuthorizationCode(
  issuer: string,
  request: AuthorizationCodeRequest,
  jar: CookieJar = cookieJar(),
): Promise<TokenSet> {
  const metadata = await fetchProviderMetadata(issuer);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(String(metadata.authorization_endpoint));
  const params: Record<string, string> = {
    client_id: request.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    scope: request.scope,
    resource: request.resource,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(request.loginHint !== undefined ? { login_hint: request.loginHint } : {}),
    ...(request.acrValues !== undefined ? { acr_values: request.acrValues } : {}),
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);

  let next = url.toString();
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const response = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response);
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (response.status < 300 || response.status > 399 || location === null) {
      throw new OAuthResponseError(
        response.status,
        'unexpected_response',
        `no redirect from ${new URL(next).pathname}`,
      );
    }
    next = new URL(location, next).toString();
    if (!next.startsWith(`${request.redirectUri}?`)) continue;
    const callback = new URL(next).searchParams;
    const error = callback.get('error');
    if (error !== null)
      throw new OAuthResponseError(400, error, callback.get('error_description') ?? undefined);
    // RFC 9207 and RFC 6749 §10.12: the response must come from this issuer, for this request.
    if (callback.get('iss') !== issuer) throw new Error('authorization response from another issuer');
    if (callback.get('state') !== state) throw new Error('authorization response with a foreign state');
    const code = callback.get('code');
    if (code === null) throw new Error('authorization response without a code');
    const response2 = await fetch(String(metadata.token_endpoint), {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: request.redirectUri,
        code_verifier: verifier,
        client_id: request.clientId,
        resource: request.resource,
      }),
    });
    return toTokenSet(await readJson(response2));
  }
  throw new Error(`authorization flow did not finish within ${MAX_REDIRECTS} redirects`);
}

/**
 * Asks the provider about a token (RFC 7662) with a resource server's credentials.
 *
 * @example
 * ```ts
 * const { active } = await introspectToken(issuer, { clientId: 'orders-api', clientSecret, token });
 * ```
 */
export async function introspectToken(
  issuer: string,
  request: { clientId: string; clientSecret: string; token: string },
): Promise<Record<string, unknown>> {
  const response = await fetch(await endpoint(issuer, 'introspection_endpoint'), {
    method: 'POST',
    headers: { authorization: basicAuth(request.clientId, request.clientSecret) },
    body: new URLSearchParams({ token: request.token }),
  });
  return readJson(response);
}

/**
 * Revokes a token at the provider (RFC 7009) with the credentials of the client it was issued to.
 *
 * @example
 * ```ts
 * await revokeToken(issuer, { clientId: 'reporting-service', clientSecret, token });
 * ```
 */
export async function revokeToken(
  issuer: string,
  request: { clientId: string; clientSecret: string; token: string },
): Promise<void> {
  const response = await fetch(await endpoint(issuer, 'revocation_endpoint'), {
    method: 'POST',
    headers: { authorization: basicAuth(request.clientId, request.clientSecret) },
    body: new URLSearchParams({ token: request.token }),
  });
  if (!response.ok) await readJson(response);
  else await response.body?.cancel();
}
