/**
 * Which client certificate a request presents, and whether it is the one a token is bound to. The
 * certificate comes from the TLS connection, or — only for requests whose socket peer is a configured
 * trusted proxy — from the header that proxy sets (RFC 8705 §6.5, checklist M-5). A certificate header is
 * request input like any other: from any other address it is ignored and the request counts as presenting
 * no certificate, so no client can claim someone else's certificate by sending its PEM (DESIGN anti-pattern
 * 6). Runs on every request, cache hit or not: the verified-token cache holds the binding, never its proof.
 */
import { headerValues, type RequestFacts } from '../model/facts.js';
import { compileCidrs } from '../policy/cidr.js';
import { certificateBindingProblem } from './certificate-binding.js';
import { parseForwardedCertificate } from './forwarded-certificate.js';
import { DEFAULT_CERTIFICATE_HEADERS, type MtlsOptions } from './options.js';

/** Why the request does not prove possession of the certificate `expectedThumbprint` names, or `undefined`. */
export type CertificateCheck = (expectedThumbprint: string, facts: RequestFacts) => string | undefined;

// Without a configured proxy, the headers proxies commonly use are still recognised, so that a
// certificate-bound token sent with one of them (a spoof, or a proxy nobody configured) is refused.
const WELL_KNOWN_HEADERS = [...new Set(Object.values(DEFAULT_CERTIFICATE_HEADERS))];

/**
 * The client certificate a request presents: DER bytes with whether they were verified (a TLS connection
 * whose chain the server accepted, or a trusted proxy, which verified it), `undefined` for none, or why
 * what was sent is unusable.
 */
export type PresentedCertificate =
  | { readonly der: Uint8Array; readonly verified: boolean }
  | { readonly problem: string }
  | undefined;

/**
 * Reads the presented client certificate from the connection or, for a trusted proxy's requests, from the
 * header that proxy sets. A certificate header from any other address means no certificate at all.
 *
 * @example
 * ```ts
 * const presented = createCertificateReader({ trustedProxies: ['10.0.0.0/8'], format: 'xfcc' });
 * presented(facts); // { der, verified: true }
 * ```
 */
export function createCertificateReader(options: MtlsOptions): (facts: RequestFacts) => PresentedCertificate {
  const { trustedProxies, format } = options;
  const header =
    options.certificateHeader ?? (format === undefined ? undefined : DEFAULT_CERTIFICATE_HEADERS[format]);
  const isTrustedProxy = compileCidrs(trustedProxies ?? []);
  const watched = header === undefined ? WELL_KNOWN_HEADERS : [...new Set([header, ...WELL_KNOWN_HEADERS])];
  return (facts) => {
    if (header !== undefined && format !== undefined && isTrustedProxy(facts.remoteAddress)) {
      // The proxy's own connection (and any certificate on it) is not the client's: only the header counts.
      const values = headerValues(facts, header);
      if (values.length > 1) return { problem: `the trusted proxy sent ${header} more than once` };
      const value = values[0] ?? '';
      if (value === '') return undefined;
      const der = parseForwardedCertificate(value, format);
      if (typeof der === 'string') return { problem: `the forwarded client certificate is unusable: ${der}` };
      return { der, verified: true };
    }
    for (const name of watched) {
      if (headerValues(facts, name).length > 0) {
        return {
          problem: `a client certificate header (${name}) came from an address that is not a trusted proxy; the request counts as presenting no certificate`,
        };
      }
    }
    const der = facts.tls?.peerCertificate;
    return der ? { der, verified: facts.tls?.authorized === true } : undefined;
  };
}

/**
 * Creates the certificate check of a guard from its validated `mtls` options.
 *
 * @example
 * ```ts
 * const check = createCertificateCheck({ trustedProxies: ['10.0.0.0/8'], format: 'xfcc' });
 * check(principal.binding.certificateThumbprint, facts); // undefined when the certificates match
 * ```
 */
export function createCertificateCheck(options: MtlsOptions): CertificateCheck {
  const presented = createCertificateReader(options);
  const fromProxy = options.format !== undefined && compileCidrs(options.trustedProxies ?? []);
  return (expectedThumbprint, facts) => {
    const certificate = presented(facts);
    if (certificate && 'problem' in certificate) return certificate.problem;
    if (!certificate && fromProxy && fromProxy(facts.remoteAddress)) {
      return 'the trusted proxy forwarded no client certificate';
    }
    // M-4: possession is what binds; chain validity is not required (an expired self-signed cert binds).
    return certificateBindingProblem(
      expectedThumbprint,
      certificate ? { authorized: certificate.verified, peerCertificate: certificate.der } : facts.tls,
    );
  };
}
