/**
 * The connection pools of a guard's outbound calls (key sets, discovery, introspection): one keep-alive
 * agent for https and one for http (loopback only, checked by the callers' URL rules). The `ca` option
 * promises *extra* trusted CAs, so Node's default roots are kept next to it (a `ca` given to TLS alone
 * replaces them). A client certificate, when given, is presented on every TLS connection (RFC 8705 §2).
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/** How the outbound connections are made. */
export interface OutboundSettings {
  /** Extra trusted CA certificates (PEM) for HTTPS, e.g. a private PKI. */
  readonly ca?: string | readonly string[] | undefined;
  /** A client certificate chain (PEM) and its private key, for mutual TLS. */
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly maxSockets: number;
}

/** The agents of one caller. */
export interface OutboundAgents {
  /** Starts a request to `target` on the agent of its scheme. */
  request(
    target: URL,
    options: { method: string; headers: Record<string, string | number> },
  ): ReturnType<typeof httpRequest>;
  /** Releases every pooled connection. */
  destroy(): void;
}

/**
 * Creates the agents.
 *
 * @example
 * ```ts
 * const agents = createOutboundAgents({ ca: privateRootPem, maxSockets: 4 });
 * const request = agents.request(new URL(url), { method: 'GET', headers: { accept: 'application/json' } });
 * ```
 */
export function createOutboundAgents(settings: OutboundSettings): OutboundAgents {
  const extra =
    settings.ca === undefined ? [] : typeof settings.ca === 'string' ? [settings.ca] : settings.ca;
  const tls = {
    ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}),
    ...(settings.cert !== undefined ? { cert: settings.cert } : {}),
    ...(settings.key !== undefined ? { key: settings.key } : {}),
  };
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: settings.maxSockets, ...tls });
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: settings.maxSockets });
  return {
    request(target, options) {
      // Redirects are never followed by node:http(s): a 3xx is the caller's failure, never chased (SSRF).
      return target.protocol === 'https:'
        ? httpsRequest(target, { ...options, agent: httpsAgent })
        : httpRequest(target, { ...options, agent: httpAgent });
    },
    destroy() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}
