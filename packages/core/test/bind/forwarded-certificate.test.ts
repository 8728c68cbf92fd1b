/**
 * TLS terminated at a proxy (RFC 8705 §6.5, checklist M-5): the certificate header is believed only from
 * a configured proxy address, in the encoding configured for it; from anywhere else it is ignored and the
 * request counts as presenting no certificate. Start-up refuses unusable `mtls` options (ConfigError).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { bearer, testTls } from '@nevertrust/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseForwardedCertificate } from '../../src/bind/forwarded-certificate.js';
import { ConfigError, createGuard, type RequestFacts } from '../../src/index.js';
import type { MtlsOptions } from '../../src/policy.js';
import { RFC8705_CERTIFICATE, RFC8705_THUMBPRINT } from '../fixtures/rfc8705.js';
import { expectAllow, expectDeny, harness, testKey } from '../support.js';

const rfcDer = new Uint8Array(new X509Certificate(RFC8705_CERTIFICATE).raw);
const escapedPem = encodeURIComponent(`${RFC8705_CERTIFICATE}\n`);
const rfc9440 = `:${Buffer.from(rfcDer).toString('base64')}:`;
const hash = createHash('sha256').update(rfcDer).digest('hex');
let otherPem: string;

beforeAll(async () => {
  otherPem = (await testTls()).clientCert;
});

describe('M-5 parseForwardedCertificate', () => {
  it.each([
    ['pem: nginx $ssl_client_escaped_cert', escapedPem, 'pem'],
    ['pem: line breaks sent as spaces', encodeURIComponent(RFC8705_CERTIFICATE.replaceAll('\n', ' ')), 'pem'],
    ['rfc9440: Client-Cert byte sequence', rfc9440, 'rfc9440'],
    [
      'xfcc: Envoy Cert with a matching Hash',
      `By=spiffe://proxy;Hash=${hash};Cert="${escapedPem}";Subject="CN=mtls"`,
      'xfcc',
    ],
    ['xfcc: Cert alone, unquoted', `Cert=${escapedPem}`, 'xfcc'],
  ] as const)('%s → the DER bytes', (_name, value, format) => {
    expect(parseForwardedCertificate(value, format)).toEqual(rfcDer);
  });

  it.each([
    ['pem: not URL-encoded', '%E0%A4%A', 'pem', 'the value is not URL-encoded'],
    ['pem: no PEM', 'hello', 'pem', 'the value is not one PEM certificate'],
    [
      'pem: two certificates',
      encodeURIComponent(`${RFC8705_CERTIFICATE}\n${RFC8705_CERTIFICATE}`),
      'pem',
      'the value is not one PEM certificate',
    ],
    [
      'rfc9440: no colons',
      Buffer.from(rfcDer).toString('base64'),
      'rfc9440',
      'the value is not an RFC 9440 byte sequence (:base64:)',
    ],
    ['rfc9440: not base64', ':**:', 'rfc9440', 'the value is not base64'],
    ['rfc9440: base64 of no certificate', ':aGVsbG8=:', 'rfc9440', 'the value is not a DER certificate'],
    [
      'rfc9440: the certificate with a byte appended',
      `:${Buffer.concat([rfcDer, Buffer.from([0])]).toString('base64')}:`,
      'rfc9440',
      'the value is not a DER certificate',
    ],
    [
      'rfc9440: the certificate cut short',
      `:${Buffer.from(rfcDer.subarray(0, -1)).toString('base64')}:`,
      'rfc9440',
      'the value is not a DER certificate',
    ],
    [
      'xfcc: two elements (a proxy chain appended)',
      `Cert="${escapedPem}",Cert="${escapedPem}"`,
      'xfcc',
      'the XFCC header has more than one element',
    ],
    [
      'xfcc: Hash of another certificate',
      `Hash=${'0'.repeat(64)};Cert="${escapedPem}"`,
      'xfcc',
      'the XFCC Hash does not match its Cert',
    ],
    [
      'xfcc: Hash only',
      `Hash=${hash}`,
      'xfcc',
      'the XFCC element has no Cert (set_current_client_cert_details: cert)',
    ],
    [
      'xfcc: a member twice',
      `Cert="${escapedPem}";cert="${escapedPem}"`,
      'xfcc',
      'the XFCC member cert appears twice',
    ],
    ['xfcc: unterminated quote', 'Cert="abc', 'xfcc', 'an XFCC value has an unterminated quote'],
    ['too long', 'a'.repeat(16_385), 'pem', 'the value is too long'],
  ] as const)('%s → a problem', (_name, value, format, problem) => {
    expect(parseForwardedCertificate(value, format)).toBe(problem);
  });
});

const PROXY = '10.1.2.3';
const bound = { claims: { cnf: { 'x5t#S256': RFC8705_THUMBPRINT } } };

function fromAddress(token: string, remoteAddress: string, headers: Record<string, string | string[]> = {}) {
  const facts = bearer(token, { remoteAddress, headers });
  return facts as RequestFacts;
}

describe('M-5 a certificate header is believed from a trusted proxy only', () => {
  const options = (extra: Partial<MtlsOptions> = {}): MtlsOptions => ({
    trustedProxies: ['10.0.0.0/8'],
    format: 'pem',
    ...extra,
  });

  it('from the trusted proxy, the forwarded certificate binds (IPv4-mapped peer too)', async () => {
    const { guard, mint } = harness({ guard: { mtls: options() } });
    const token = mint(bound);
    expectAllow(await guard.evaluate(fromAddress(token, PROXY, { 'x-client-cert': escapedPem })));
    expectAllow(await guard.evaluate(fromAddress(token, `::ffff:${PROXY}`, { 'x-client-cert': escapedPem })));
  });

  it('each format in its default header, or a configured one', async () => {
    const cases: [MtlsOptions, string, string][] = [
      [options({ format: 'xfcc' }), 'x-forwarded-client-cert', `Hash=${hash};Cert="${escapedPem}"`],
      [options({ format: 'rfc9440' }), 'client-cert', rfc9440],
      [options({ certificateHeader: 'ssl-client-cert' }), 'ssl-client-cert', escapedPem],
    ];
    for (const [mtls, header, value] of cases) {
      const { guard, mint } = harness({ guard: { mtls } });
      expectAllow(await guard.evaluate(fromAddress(mint(bound), PROXY, { [header]: value })));
    }
  });

  it.each([
    [
      'a spoofed header from an address that is no proxy',
      '192.0.2.7',
      { 'x-client-cert': escapedPem },
      /not a trusted proxy/,
    ],
    [
      'a well-known header from an address that is no proxy',
      '192.0.2.7',
      { 'x-forwarded-client-cert': `Cert="${escapedPem}"` },
      /\(x-forwarded-client-cert\) came from an address that is not a trusted proxy/,
    ],
    ['the trusted proxy forwarding no certificate', PROXY, {}, /forwarded no client certificate/],
    [
      'the trusted proxy forwarding an empty value',
      PROXY,
      { 'x-client-cert': '' },
      /forwarded no client certificate/,
    ],
    ['the header twice', PROXY, { 'x-client-cert': [escapedPem, escapedPem] }, /more than once/],
    [
      'garbage',
      PROXY,
      { 'x-client-cert': 'not-a-certificate' },
      /unusable: the value is not one PEM certificate/,
    ],
  ] as const)('%s: 401 ERR_CERTIFICATE_MISMATCH', async (_name, address, headers, detail) => {
    const { guard, mint, events } = harness({ guard: { mtls: options() } });
    expectDeny(
      await guard.evaluate(fromAddress(mint(bound), address, headers as Record<string, string>)),
      'ERR_CERTIFICATE_MISMATCH',
      401,
    );
    expect(events.at(-1)?.detail).toMatch(detail);
  });

  it('another certificate forwarded by the trusted proxy: refused', async () => {
    const { guard, mint } = harness({ guard: { mtls: options() } });
    const facts = fromAddress(mint(bound), PROXY, { 'x-client-cert': encodeURIComponent(otherPem) });
    expectDeny(await guard.evaluate(facts), 'ERR_CERTIFICATE_MISMATCH');
  });

  it("from the trusted proxy, its own TLS certificate is never taken for the client's", async () => {
    const { guard, mint } = harness({ guard: { mtls: options() } });
    const facts = { ...fromAddress(mint(bound), PROXY), tls: { authorized: true, peerCertificate: rfcDer } };
    expectDeny(await guard.evaluate(facts), 'ERR_CERTIFICATE_MISMATCH');
  });

  it('a direct client with the right certificate but a spoofed header too: refused', async () => {
    const { guard, mint } = harness({ guard: { mtls: {} } });
    const facts = {
      ...fromAddress(mint(bound), '192.0.2.7', { 'x-client-cert': escapedPem }),
      tls: { authorized: true, peerCertificate: rfcDer },
    };
    expectDeny(await guard.evaluate(facts), 'ERR_CERTIFICATE_MISMATCH');
  });

  it('a plain bearer token with a spoofed header is none the worse (the header only matters to bound tokens)', async () => {
    const { guard, mint } = harness({ guard: { mtls: options() } });
    expectAllow(await guard.evaluate(fromAddress(mint(), '192.0.2.7', { 'x-client-cert': escapedPem })));
  });
});

describe('mtls options: bad values fail at start-up with ConfigError', () => {
  const issuers = [{ issuer: 'https://idp.test/', audience: 'api', keys: [testKey().jwk] }];
  it.each([
    [
      { trustedProxies: ['10.0.0.0/33'], format: 'pem' },
      'mtls.trustedProxies[0]: expected a CIDR range such as 10.0.0.0/8 or 2001:db8::/32, or an IP address',
    ],
    [{ trustedProxies: [], format: 'pem' }, 'mtls.trustedProxies: expected at least one address range'],
    [
      { trustedProxies: ['10.0.0.0/8'] },
      "mtls.format: expected 'xfcc', 'pem' or 'rfc9440' with trustedProxies",
    ],
    [{ format: 'xfcc' }, 'mtls.format: expected only together with trustedProxies'],
    [
      { trustedProxies: ['10.0.0.1'], format: 'pem', certificateHeader: 'X-Client-Cert' },
      'mtls.certificateHeader: expected a lower-case header name',
    ],
    [
      { trustedProxies: ['10.0.0.1'], format: 'pem', certificateHeader: 'authorization' },
      'mtls.certificateHeader: expected a dedicated header',
    ],
    [{ trustedProxies: ['10.0.0.1'], format: 'der' }, 'mtls.format'],
    [{ proxies: ['10.0.0.1'] }, 'mtls'],
  ])('%j', (mtls, message) => {
    let error: unknown;
    try {
      createGuard({ issuers, mtls } as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(1);
    expect((error as ConfigError).problems[0]).toMatch(
      new RegExp(`^${message.replace(/[[\]().*+?^$|]/g, '\\$&')}`),
    );
  });
});
