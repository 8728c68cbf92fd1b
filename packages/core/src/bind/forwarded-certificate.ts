/**
 * Client certificates forwarded by a TLS-terminating proxy (RFC 8705 §6.5, checklist M-5), in the three
 * encodings proxies use: Envoy's `x-forwarded-client-cert` (XFCC, the `Cert=` member: a URL-encoded PEM),
 * a URL-encoded PEM on its own (nginx `$ssl_client_escaped_cert`), and RFC 9440 `Client-Cert` (a structured
 * field byte sequence, `:base64 DER:`). A value must decode to exactly one DER structure; the value is
 * never echoed in a problem (it is request input).
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

/** How a trusted proxy encodes the client certificate in its header. */
export type ForwardedCertificateFormat = 'xfcc' | 'pem' | 'rfc9440';

// Node's default header limit is 16 KiB for all headers together; a certificate chain never needs more.
const MAX_VALUE_LENGTH = 16_384;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The bytes when they are exactly one DER SEQUENCE (an X.509 certificate is one), or a problem. Parsing the
 * certificate itself (`X509Certificate`) would cost a few hundred microseconds per request and decide
 * nothing: the thumbprint covers every byte, so only the bound certificate's exact encoding can match.
 */
function certificateFromDer(der: Buffer): Uint8Array | string {
  const NOT_DER = 'the value is not a DER certificate';
  if (der.length < 2 || der[0] !== 0x30) return NOT_DER;
  const first = der[1] as number;
  let length = first;
  let header = 2;
  if (first >= 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 3 || der.length < 2 + octets) return NOT_DER;
    length = 0;
    for (let index = 0; index < octets; index++) length = length * 256 + (der[2 + index] as number);
    header = 2 + octets;
  }
  return header + length === der.length ? new Uint8Array(der.buffer, der.byteOffset, der.length) : NOT_DER;
}

function certificateFromBase64(text: string): Uint8Array | string {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return 'the value is not base64';
  return certificateFromDer(Buffer.from(compact, 'base64'));
}

/** A URL-encoded PEM; proxies that cannot send line breaks may put spaces in their place. */
function certificateFromEscapedPem(value: string): Uint8Array | string {
  let pem: string;
  try {
    pem = decodeURIComponent(value);
  } catch {
    return 'the value is not URL-encoded';
  }
  const match = /^\s*-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----\s*$/.exec(pem);
  if (!match) return 'the value is not one PEM certificate';
  return certificateFromBase64(match[1] as string);
}

/**
 * Splits an XFCC value (Envoy's `x-forwarded-client-cert`) into elements of `key=value` pairs. Commas
 * separate elements, semicolons pairs; a double-quoted value may contain both, and `\"`.
 */
function parseXfcc(value: string): Map<string, string>[] | string {
  const elements: Map<string, string>[] = [new Map()];
  let pair = '';
  let quoted = false;
  const flush = (): string | undefined => {
    if (pair === '') return undefined;
    const equals = pair.indexOf('=');
    if (equals <= 0) return 'an XFCC member is not key=value';
    const key = pair.slice(0, equals).trim().toLowerCase();
    let text = pair.slice(equals + 1).trim();
    if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) text = text.slice(1, -1);
    const element = elements.at(-1) as Map<string, string>;
    if (element.has(key)) return `the XFCC member ${key} appears twice`;
    element.set(key, text.replaceAll('\\"', '"'));
    pair = '';
    return undefined;
  };
  for (let index = 0; index < value.length; index++) {
    const char = value[index] as string;
    if (char === '\\' && quoted) {
      pair += char + (value[index + 1] ?? '');
      index++;
    } else if (char === '"') {
      quoted = !quoted;
      pair += char;
    } else if (!quoted && (char === ';' || char === ',')) {
      const problem = flush();
      if (problem) return problem;
      if (char === ',') elements.push(new Map());
    } else pair += char;
  }
  if (quoted) return 'an XFCC value has an unterminated quote';
  return flush() ?? elements;
}

/** The `Cert=` of the single XFCC element, checked against its `Hash=` (hex SHA-256 of the DER) if any. */
function certificateFromXfcc(value: string): Uint8Array | string {
  const elements = parseXfcc(value);
  if (typeof elements === 'string') return elements;
  // Envoy appends one element per proxy hop unless told to sanitise; which one is the client's would be a
  // guess, so only a single element is believed (`forward_client_cert_details: SANITIZE_SET`).
  if (elements.length !== 1) return 'the XFCC header has more than one element';
  const element = elements[0] as Map<string, string>;
  const cert = element.get('cert');
  if (cert === undefined) return 'the XFCC element has no Cert (set_current_client_cert_details: cert)';
  const der = certificateFromEscapedPem(cert);
  if (typeof der === 'string') return der;
  const hash = element.get('hash');
  if (hash !== undefined && hash.toLowerCase() !== createHash('sha256').update(der).digest('hex')) {
    return 'the XFCC Hash does not match its Cert';
  }
  return der;
}

/**
 * The DER bytes of the certificate a proxy forwarded, or why the value is unusable.
 *
 * @example
 * ```ts
 * parseForwardedCertificate(':MIIBszCCAVmgAwIBAgI...:', 'rfc9440'); // Uint8Array (DER)
 * parseForwardedCertificate('garbage', 'pem'); // 'the value is not one PEM certificate'
 * ```
 */
export function parseForwardedCertificate(
  value: string,
  format: ForwardedCertificateFormat,
): Uint8Array | string {
  if (value.length > MAX_VALUE_LENGTH) return 'the value is too long';
  if (format === 'xfcc') return certificateFromXfcc(value);
  if (format === 'pem') return certificateFromEscapedPem(value);
  const trimmed = value.trim();
  if (trimmed.length < 2 || !trimmed.startsWith(':') || !trimmed.endsWith(':')) {
    return 'the value is not an RFC 9440 byte sequence (:base64:)';
  }
  return certificateFromBase64(trimmed.slice(1, -1));
}
