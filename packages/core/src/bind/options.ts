/**
 * The `mtls` option and its zod schema, plugged into the guard's one options schema: whether
 * certificate-bound tokens (RFC 8705) are accepted, and where the client certificate comes from — the TLS
 * connection, or a header set by a TLS-terminating proxy at a configured address (RFC 8705 §6.5, M-5).
 */
import * as z from 'zod/mini';
import { lazySchema } from '../model/lazy-schema.js';
import { cidrProblem } from '../policy/cidr.js';
import type { ForwardedCertificateFormat } from './forwarded-certificate.js';

/**
 * Accept certificate-bound access tokens (`cnf["x5t#S256"]`, RFC 8705 §3). `{}`: the certificate comes
 * from the TLS connection (an HTTPS server with `requestCert: true`). With `trustedProxies`, requests from
 * those addresses carry it in a header instead; a certificate header from any other address is ignored
 * and the request counts as presenting no certificate.
 *
 * @example
 * ```ts
 * createGuard({ issuers, mtls: {} }); // direct TLS
 * createGuard({ issuers, mtls: { trustedProxies: ['10.0.0.0/8'], format: 'xfcc' } }); // behind Envoy
 * ```
 */
export interface MtlsOptions {
  /** Addresses (CIDR ranges or single addresses) of the proxies that terminate TLS in front of the API. */
  readonly trustedProxies?: readonly string[];
  /** How those proxies encode the certificate; required with `trustedProxies`. */
  readonly format?: ForwardedCertificateFormat;
  /**
   * The (lower-case) header they put it in. Default per format: `x-forwarded-client-cert` (xfcc),
   * `x-client-cert` (pem), `client-cert` (rfc9440).
   */
  readonly certificateHeader?: string;
}

/** The header each format arrives in unless configured otherwise. */
export const DEFAULT_CERTIFICATE_HEADERS: Readonly<Record<ForwardedCertificateFormat, string>> = {
  xfcc: 'x-forwarded-client-cert',
  pem: 'x-client-cert',
  rfc9440: 'client-cert',
};

// A fixed message: a bad range is not repeated.
const cidr = () =>
  z.custom<string>((value) => cidrProblem(value) === undefined, {
    message: 'expected a CIDR range such as 10.0.0.0/8 or 2001:db8::/32, or an IP address',
  });

/**
 * The schema of {@link MtlsOptions}.
 *
 * @example
 * ```ts
 * mtlsSchema().safeParse({ trustedProxies: ['10.0.0.0/8'], format: 'pem' }).success; // true
 * ```
 */
export const mtlsSchema = lazySchema(() =>
  z
    .strictObject({
      trustedProxies: z.optional(
        z.array(cidr()).check(z.minLength(1, 'expected at least one address range')),
      ),
      format: z.optional(z.enum(['xfcc', 'pem', 'rfc9440'])),
      certificateHeader: z.optional(
        z.string().check(z.regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'expected a lower-case header name')),
      ),
    })
    .check(
      z.superRefine((value, ctx) => {
        if (value.trustedProxies === undefined) {
          for (const name of ['format', 'certificateHeader'] as const) {
            if (value[name] !== undefined) {
              ctx.addIssue({
                code: 'custom',
                path: [name],
                message: 'expected only together with trustedProxies',
              });
            }
          }
        } else if (value.format === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['format'],
            message: "expected 'xfcc', 'pem' or 'rfc9440' with trustedProxies",
          });
        }
        if (
          value.certificateHeader !== undefined &&
          ['authorization', 'dpop'].includes(value.certificateHeader)
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['certificateHeader'],
            message: 'expected a dedicated header',
          });
        }
      }),
    ),
);
