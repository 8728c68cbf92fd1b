/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728; checklist P-1…P-5): the document that tells clients
 * which authorization servers, scopes and bearer methods this API accepts, served at the well-known path
 * derived from the resource identifier, and the `resource_metadata` URL every challenge carries.
 */
import { isLoopbackHost } from '../keys/loopback.js';

/** What to publish about this resource. */
export interface ResourceMetadataOptions {
  /** The resource identifier: an https URL without fragment or query, e.g. `https://api.example.com/v1`. */
  readonly resource: string;
  /** Issuer identifiers of the authorization servers. Default: every configured issuer. */
  readonly authorizationServers?: readonly string[];
  /** Scopes clients may request. Default: every scope named in the policy table and the role table. */
  readonly scopesSupported?: readonly string[];
  /** Human-readable name (RECOMMENDED by RFC 9728 §2). */
  readonly resourceName?: string;
  readonly resourceDocumentation?: string;
  readonly resourcePolicyUri?: string;
  readonly resourceTosUri?: string;
  /** How long clients may cache the document, in seconds (P-5). Default 3600. */
  readonly maxAgeSeconds?: number;
}

/** The metadata endpoint an adapter serves. */
export interface ResourceMetadataEndpoint {
  /** Path to serve: `/.well-known/oauth-protected-resource` followed by the resource's path. */
  readonly path: string;
  /** Absolute URL, as sent in `resource_metadata`. */
  readonly url: string;
  readonly document: Readonly<Record<string, unknown>>;
  /**
   * Whether a request is for the document: `GET` or `HEAD` of exactly {@link path} (query ignored). Such a
   * request is public whatever the policy table or strict mode says — clients read it before they have a
   * token.
   */
  serves(method: string, target: string): boolean;
  /** The response for `GET`/`HEAD` of {@link path}. */
  readonly response: {
    readonly status: 200;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
  };
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * Why a resource identifier is unusable (P-2), or `undefined`.
 *
 * @example
 * ```ts
 * resourceIdentifierProblem('https://api.example.com/?v=1'); // 'expected no query'
 * ```
 */
export function resourceIdentifierProblem(resource: string): string | undefined {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return 'expected an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return 'expected an https URL (http only on loopback)';
  }
  if (resource.includes('#')) return 'expected no fragment';
  if (resource.includes('?')) return 'expected no query';
  if (url.username || url.password) return 'expected no user information';
  return undefined;
}

/**
 * Where the metadata of `resource` is published (RFC 9728 §3.1: the well-known path inserted before the
 * resource's own path), as a path and as the absolute URL every challenge names (§5.1, P-4).
 *
 * @example
 * ```ts
 * resourceMetadataLocation('https://api.example.com/v1').url; // 'https://api.example.com/.well-known/oauth-protected-resource/v1'
 * ```
 */
export function resourceMetadataLocation(resource: string): { readonly path: string; readonly url: string } {
  const url = new URL(resource);
  const suffix = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const path = `${WELL_KNOWN}${suffix}`;
  return { path, url: `${url.origin}${path}` };
}

/**
 * Builds the metadata endpoint. RFC 9728 §3.1: the well-known segment goes between host and path, after
 * removing a terminating slash; the `resource` member is the identifier exactly as configured (P-2).
 *
 * @example
 * ```ts
 * const endpoint = createResourceMetadata(
 *   { resource: 'https://api.example.com/v1' },
 *   { authorizationServers: ['https://idp.example.com/'], scopesSupported: [], bearerMethods: ['header'] },
 * );
 * endpoint.path; // '/.well-known/oauth-protected-resource/v1'
 * ```
 */
export function createResourceMetadata(
  options: ResourceMetadataOptions,
  defaults: {
    readonly authorizationServers: readonly string[];
    readonly scopesSupported: readonly string[];
    readonly bearerMethods: readonly string[];
    /** RFC 9728 §2 `tls_client_certificate_bound_access_tokens` (checklist M-7); omitted means false. */
    readonly certificateBoundTokens?: boolean;
    /** Accepted DPoP proof algorithms, when the guard accepts DPoP (RFC 9728 §2, RFC 9449 §5.1). */
    readonly dpopSigningAlgs?: readonly string[] | undefined;
    /** Whether every issuer requires DPoP-bound tokens. */
    readonly dpopBoundRequired?: boolean;
  },
): ResourceMetadataEndpoint {
  const { path, url } = resourceMetadataLocation(options.resource);
  const scopes = options.scopesSupported ?? defaults.scopesSupported;
  const document: Record<string, unknown> = {
    resource: options.resource,
    authorization_servers: [...(options.authorizationServers ?? defaults.authorizationServers)],
    bearer_methods_supported: [...defaults.bearerMethods],
  };
  if (scopes.length > 0) document.scopes_supported = [...scopes];
  if (defaults.certificateBoundTokens) document.tls_client_certificate_bound_access_tokens = true;
  if (defaults.dpopSigningAlgs) {
    document.dpop_signing_alg_values_supported = [...defaults.dpopSigningAlgs];
    if (defaults.dpopBoundRequired) document.dpop_bound_access_tokens_required = true;
  }
  if (options.resourceName !== undefined) document.resource_name = options.resourceName;
  if (options.resourceDocumentation !== undefined)
    document.resource_documentation = options.resourceDocumentation;
  if (options.resourcePolicyUri !== undefined) document.resource_policy_uri = options.resourcePolicyUri;
  if (options.resourceTosUri !== undefined) document.resource_tos_uri = options.resourceTosUri;
  return Object.freeze({
    path,
    url,
    serves: (method: string, target: string) =>
      (method === 'GET' || method === 'HEAD') && (target === path || target.startsWith(`${path}?`)),
    document: Object.freeze(document),
    response: Object.freeze({
      status: 200 as const,
      headers: Object.freeze({
        // The charset spelled out, as Express would add it anyway: every adapter sends the same bytes.
        'content-type': 'application/json; charset=utf-8',
        'cache-control': `public, max-age=${options.maxAgeSeconds ?? 3600}`,
      }),
      body: JSON.stringify(document),
    }),
  });
}
