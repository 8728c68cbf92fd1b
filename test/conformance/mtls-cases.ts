/**
 * The certificate-bound token cases of `mtls.test.ts` as data: which certificate the token is bound to,
 * what the client presents over TLS or a proxy forwards in a header, from which address, and the answer.
 * Test names carry the checklist IDs of A5 (RFC 8705) in `reference/standards.md`.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { ErrorCode } from '@nevertrust/core';
import type { ForwardedCertificateFormat } from '@nevertrust/core/policy';
import type { Profile } from './profiles.js';
import type { Transport } from './transport.js';

export const PROXY = '127.0.0.2';

/** How a proxy forwards a certificate: its format, its header, and the value it sends for a PEM. */
export interface ProxyStyle {
  readonly format: ForwardedCertificateFormat;
  readonly header: string;
  readonly encode: (pem: string) => string;
}

/** nginx (`$ssl_client_escaped_cert`) and Envoy (XFCC with `Hash` and `Cert`, sanitised to one element). */
export const PROXY_STYLES: readonly ProxyStyle[] = [
  { format: 'pem', header: 'x-client-cert', encode: (pem) => encodeURIComponent(pem) },
  {
    format: 'xfcc',
    header: 'x-forwarded-client-cert',
    encode: (pem) => {
      const hash = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
      return `By=spiffe://proxy.conformance.test;Hash=${hash};Cert="${encodeURIComponent(pem)}";Subject="CN=client"`;
    },
  },
];

/** The API behind a proxy at 127.0.0.2 that forwards the client certificate in `style`. */
export function mtlsProfile(style: ProxyStyle): Profile {
  return { options: async (base) => ({ ...base, mtls: { trustedProxies: [PROXY], format: style.format } }) };
}

export type Certificates = 'service-a' | 'service-b' | 'expired-self-signed';

export interface MtlsCase {
  readonly name: string;
  readonly transport: Transport;
  /** The certificate the token is bound to, and any further `cnf` members. */
  readonly boundTo: Certificates;
  readonly extraCnf?: Readonly<Record<string, string>>;
  /** The certificate the client presents over TLS (`null`: none). */
  readonly presents?: Certificates | null;
  /** The certificate a proxy header names (in each proxy style). */
  readonly header?: Certificates;
  readonly from?: string;
  readonly expect: { readonly status: 200 } | { readonly status: 401; readonly code: ErrorCode };
}

const MISMATCH = { status: 401, code: 'ERR_CERTIFICATE_MISMATCH' } as const;

export const MTLS_CASES: readonly MtlsCase[] = [
  {
    name: 'M-2 the bound certificate over HTTPS: 200, the handler ran',
    transport: 'https',
    boundTo: 'service-a',
    presents: 'service-a',
    expect: { status: 200 },
  },
  {
    name: 'M-2 another client certificate (same CA): 401 invalid_token, no handler',
    transport: 'https',
    boundTo: 'service-a',
    presents: 'service-b',
    expect: MISMATCH,
  },
  {
    name: 'M-2 no client certificate over HTTPS: 401 invalid_token',
    transport: 'https',
    boundTo: 'service-a',
    presents: null,
    expect: MISMATCH,
  },
  {
    name: 'M-2 a certificate-bound token over plain HTTP: 401 invalid_token',
    transport: 'http',
    boundTo: 'service-a',
    expect: MISMATCH,
  },
  {
    name: 'M-4 an expired self-signed certificate still binds (no chain validation): 200',
    transport: 'https',
    boundTo: 'expired-self-signed',
    presents: 'expired-self-signed',
    expect: { status: 200 },
  },
  {
    name: 'M-5 a spoofed certificate header from an address that is no proxy: ignored, 401',
    transport: 'https',
    boundTo: 'service-a',
    presents: 'service-b',
    header: 'service-a',
    expect: MISMATCH,
  },
  {
    name: 'M-5 a spoofed header next to the right TLS certificate: the request counts as presenting none, 401',
    transport: 'https',
    boundTo: 'service-a',
    presents: 'service-a',
    header: 'service-a',
    expect: MISMATCH,
  },
  {
    name: 'M-5 the certificate header from the trusted proxy (TLS terminated there, HTTP behind): 200',
    transport: 'http',
    boundTo: 'service-a',
    header: 'service-a',
    from: PROXY,
    expect: { status: 200 },
  },
  {
    name: 'M-5 the trusted proxy forwarding another certificate: 401',
    transport: 'http',
    boundTo: 'service-a',
    header: 'service-b',
    from: PROXY,
    expect: MISMATCH,
  },
  {
    name: 'M-5 the trusted proxy forwarding no certificate, its own TLS one aside: 401',
    transport: 'https',
    boundTo: 'service-a',
    presents: 'service-a',
    from: PROXY,
    expect: MISMATCH,
  },
  {
    name: 'M-6 a token bound to a DPoP key and the certificate at once: 401 ERR_TOKEN_BOUND',
    transport: 'https',
    boundTo: 'service-a',
    extraCnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' },
    presents: 'service-a',
    expect: { status: 401, code: 'ERR_TOKEN_BOUND' },
  },
];
