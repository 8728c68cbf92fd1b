/**
 * Authorization server metadata discovery: OpenID Connect Discovery §4 (`/.well-known/openid-configuration`
 * appended to the issuer) or RFC 8414 §3 (`/.well-known/oauth-authorization-server` inserted before the
 * issuer's path). The returned `issuer` must equal the configured one exactly (K-1, K-2), and `jwks_uri`
 * must be an acceptable key URL (K-3).
 */
import { keyUrlProblem } from './fetch-json.js';
import { KeyFetchError } from './key-fetch-error.js';

/** Which discovery document to read. */
export type DiscoveryKind = 'openid-configuration' | 'oauth-authorization-server';

/**
 * The metadata URL for an issuer.
 *
 * @example
 * ```ts
 * discoveryUrl('https://as.example/tenant', 'oauth-authorization-server');
 * // 'https://as.example/.well-known/oauth-authorization-server/tenant'
 * ```
 */
export function discoveryUrl(issuer: string, kind: DiscoveryKind): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  url.pathname =
    kind === 'openid-configuration'
      ? `${path}/.well-known/openid-configuration`
      : `/.well-known/oauth-authorization-server${path}`;
  return url.toString();
}

/**
 * Why the discovery document's `issuer` is not the one configured (RFC 8414 §3.3: they must be identical),
 * naming both — and the fix, for the common trailing-slash mistake.
 */
function issuerMismatch(configured: string, found: unknown): string {
  if (typeof found !== 'string') return 'discovery document has no issuer';
  // Bounded and quoted: the document is the provider's, not ours.
  const shown = JSON.stringify(found.slice(0, 200));
  const slash = found.replace(/\/$/, '') === configured.replace(/\/$/, '');
  const hint = slash ? `; the issuer must match exactly, trailing slash included: configure ${shown}` : '';
  return `discovery document names issuer ${shown}, not the configured ${JSON.stringify(configured)}${hint}`;
}

/**
 * Fetches the issuer's metadata and returns its `jwks_uri` after checking the `issuer` member.
 *
 * @example
 * ```ts
 * const jwksUri = await discoverJwksUri('https://idp.example.com', 'openid-configuration', fetchJson);
 * ```
 */
export async function discoverJwksUri(
  issuer: string,
  kind: DiscoveryKind,
  fetchJson: (url: string) => Promise<unknown>,
): Promise<string> {
  return discoverEndpoint(issuer, kind, fetchJson, 'jwks_uri');
}

/**
 * Fetches the issuer's metadata and returns it after checking its `issuer` member (K-1, K-2).
 *
 * @example
 * ```ts
 * const metadata = await discoverMetadata(issuer, 'openid-configuration', fetchJson);
 * ```
 */
export async function discoverMetadata(
  issuer: string,
  kind: DiscoveryKind,
  fetchJson: (url: string) => Promise<unknown>,
): Promise<Readonly<Record<string, unknown>>> {
  const url = discoveryUrl(issuer, kind);
  const metadata = (await fetchJson(url)) as Record<string, unknown> | null;
  const fail = (reason: string) => new KeyFetchError('discovery', reason, url);
  if (typeof metadata !== 'object' || metadata === null) throw fail('discovery document is not an object');
  if (metadata.issuer !== issuer) throw fail(issuerMismatch(issuer, metadata.issuer));
  return metadata;
}

/**
 * The endpoint URL in `member` (`jwks_uri`, `introspection_endpoint`) of checked metadata, after checking
 * that the URL is acceptable (K-3).
 *
 * @example
 * ```ts
 * const endpoint = endpointOf(metadata, issuer, 'openid-configuration', 'introspection_endpoint');
 * ```
 */
export function endpointOf(
  metadata: Readonly<Record<string, unknown>>,
  issuer: string,
  kind: DiscoveryKind,
  member: 'jwks_uri' | 'introspection_endpoint',
): string {
  const fail = (reason: string) => new KeyFetchError('discovery', reason, discoveryUrl(issuer, kind));
  const endpoint = metadata[member];
  if (typeof endpoint !== 'string') throw fail(`discovery document has no ${member}`);
  const problem = keyUrlProblem(endpoint);
  if (problem) throw fail(`discovery ${member} refused: ${problem}`);
  return endpoint;
}

/**
 * Fetches the issuer's metadata and returns the endpoint URL in `member` (see {@link endpointOf}).
 *
 * @example
 * ```ts
 * const endpoint = await discoverEndpoint(issuer, 'openid-configuration', fetchJson, 'introspection_endpoint');
 * ```
 */
export async function discoverEndpoint(
  issuer: string,
  kind: DiscoveryKind,
  fetchJson: (url: string) => Promise<unknown>,
  member: 'jwks_uri' | 'introspection_endpoint',
): Promise<string> {
  return endpointOf(await discoverMetadata(issuer, kind, fetchJson), issuer, kind, member);
}
