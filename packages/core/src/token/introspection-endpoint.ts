/**
 * Where an issuer's introspection calls go and which answers they ask for: the configured `endpoint`, or
 * the discovery document's `introspection_endpoint` — its `mtls_endpoint_aliases` entry when nevertrust
 * authenticates with a client certificate (RFC 8705 §5: a provider may take certificates only on a
 * separate host) — and signed answers (RFC 9701) in `auto` when the document lists
 * `introspection_signing_alg_values_supported`.
 */
import { type DiscoveryKind, discoverMetadata, endpointOf } from '../keys/discovery.js';
import type { JsonFetcher } from '../keys/fetch-json.js';
import type { AnswerFormat } from './introspection-call.js';
import type { ResolvedIntrospection } from './introspection-options.js';

/** The endpoint of an issuer, and the answers to ask it for. */
export interface IntrospectionTarget {
  readonly endpoint: string;
  readonly format: AnswerFormat;
}

/**
 * Creates the locator of one issuer's endpoint: discovered once successfully, a failed discovery retried
 * by the next call.
 *
 * @example
 * ```ts
 * const locate = createEndpointLocator(issuer, 'openid-configuration', introspection, fetchJson);
 * const { endpoint, format } = await locate();
 * ```
 */
export function createEndpointLocator(
  issuer: string,
  discovery: DiscoveryKind,
  introspection: ResolvedIntrospection,
  fetchJson: JsonFetcher,
): () => Promise<IntrospectionTarget> {
  const { responseFormat, auth } = introspection;
  // Without discovery there is no metadata to say signed answers are offered: `auto` asks for JSON.
  let located: IntrospectionTarget | undefined =
    introspection.endpoint === undefined
      ? undefined
      : { endpoint: introspection.endpoint, format: responseFormat === 'jwt' ? 'jwt' : 'json' };
  const mtls = auth.method === 'tls_client_auth' || auth.method === 'self_signed_tls_client_auth';
  return async () => {
    if (located) return located;
    const metadata = await discoverMetadata(issuer, discovery, fetchJson);
    const aliases = metadata.mtls_endpoint_aliases as Record<string, unknown> | undefined;
    const aliased = mtls && typeof aliases?.introspection_endpoint === 'string';
    const endpoint = endpointOf(aliased ? aliases : metadata, issuer, discovery, 'introspection_endpoint');
    const offered = Array.isArray(metadata.introspection_signing_alg_values_supported);
    const format: AnswerFormat = responseFormat === 'auto' ? (offered ? 'either' : 'json') : responseFormat;
    located = { endpoint, format };
    return located;
  };
}
