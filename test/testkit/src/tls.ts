/**
 * TLS material generated at test time: a CA, a server certificate for 127.0.0.1, two client certificates
 * issued by the CA, a valid and an expired self-signed client certificate (RFC 8705 §6.2: a certificate binds
 * whether or not its chain would verify).
 */
import { generate } from 'selfsigned';

/** PEM material for a TLS test server and its clients. */
export interface TlsMaterial {
  readonly ca: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly clientKey: string;
  readonly clientCert: string;
  /** A second client of the same CA (another workload). */
  readonly otherClientKey: string;
  readonly otherClientCert: string;
  /** Self-signed, and expired a day ago: no verifier would accept its chain. */
  readonly expiredSelfSignedKey: string;
  readonly expiredSelfSignedCert: string;
  /** Self-signed and valid: a client that registered its certificate itself (RFC 8705 §2.2). */
  readonly selfSignedKey: string;
  readonly selfSignedCert: string;
}

let cached: Promise<TlsMaterial> | undefined;

/** The SPIFFE trust domain of the test client certificates: `service-a` is `…/ns/orders/sa/service-a`. */
export const SPIFFE_TRUST_DOMAIN = 'spiffe://test.nevertrust';

const EC_SHA256 = { keyType: 'ec', algorithm: 'sha256', curve: 'P-256' } as const;

async function create(): Promise<TlsMaterial> {
  const valid = {
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + 86_400_000),
  };
  // selfsigned signs with SHA-1 unless told otherwise, and OpenSSL 3 refuses such chains ('ca md too weak').
  const ca = await generate([{ name: 'commonName', value: 'nevertrust test CA' }], {
    ...EC_SHA256,
    ...valid,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const issue = (commonName: string, extensions: NonNullable<Parameters<typeof generate>[1]>['extensions']) =>
    generate([{ name: 'commonName', value: commonName }], {
      ...EC_SHA256,
      ...valid,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: 'basicConstraints', cA: false }, ...(extensions ?? [])],
    });
  const server = await issue('localhost', [
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  // Workload certificates as SPIFFE issues them: the identity is the one spiffe:// URI SAN.
  const workload = (name: string): NonNullable<Parameters<typeof generate>[1]>['extensions'] => [
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 6, value: `${SPIFFE_TRUST_DOMAIN}/ns/orders/sa/${name}` }] },
  ];
  const client = await issue('service-a', workload('service-a'));
  const other = await issue('service-b', workload('service-b'));
  const expired = await generate([{ name: 'commonName', value: 'expired self-signed' }], {
    ...EC_SHA256,
    notBeforeDate: new Date(Date.now() - 2 * 86_400_000),
    notAfterDate: new Date(Date.now() - 86_400_000),
    extensions: [{ name: 'extKeyUsage', clientAuth: true }],
  });
  const selfSigned = await generate([{ name: 'commonName', value: 'self-signed client' }], {
    ...EC_SHA256,
    ...valid,
    extensions: [{ name: 'extKeyUsage', clientAuth: true }],
  });
  return {
    ca: ca.cert,
    serverKey: server.private,
    serverCert: server.cert,
    clientKey: client.private,
    clientCert: client.cert,
    otherClientKey: other.private,
    otherClientCert: other.cert,
    expiredSelfSignedKey: expired.private,
    expiredSelfSignedCert: expired.cert,
    selfSignedKey: selfSigned.private,
    selfSignedCert: selfSigned.cert,
  };
}

/**
 * TLS material for this test process, generated once.
 *
 * @example
 * ```ts
 * const tls = await testTls();
 * https.createServer({ key: tls.serverKey, cert: tls.serverCert }, handler);
 * ```
 */
export function testTls(): Promise<TlsMaterial> {
  cached ??= create();
  return cached;
}
