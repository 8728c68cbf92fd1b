/**
 * Which workload calls: the subject and SPIFFE ID of the request's verified client certificate (from the
 * TLS connection, or forwarded by a trusted proxy), so a route can check both the user a token speaks for
 * and the system that presents it — the mission's "validate both user and system identity". Only a verified
 * certificate counts: a self-signed one a client made up names nobody. Parsing a certificate costs about
 * 0.3 ms, so results are kept per certificate (bounded).
 */
import { X509Certificate } from 'node:crypto';
import type { RequestFacts } from '../model/facts.js';
import type { WorkloadIdentity } from '../model/principal.js';
import { certificateThumbprint } from './certificate-binding.js';
import type { PresentedCertificate } from './client-certificate.js';

/** The workload of a request, or `undefined` without a verified client certificate. */
export type WorkloadReader = (facts: RequestFacts) => WorkloadIdentity | undefined;

const MAX_REMEMBERED = 1000;

/** The one `spiffe://` URI SAN of a certificate; none when there are several (SPIFFE X.509-SVID §2). */
function spiffeIdOf(certificate: X509Certificate): string | undefined {
  const ids = (certificate.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((name) => name.startsWith('URI:spiffe://'))
    .map((name) => name.slice('URI:'.length));
  return ids.length === 1 ? ids[0] : undefined;
}

/**
 * Creates the workload reader of a guard over its certificate reader.
 *
 * @example
 * ```ts
 * const workloadOf = createWorkloadReader(createCertificateReader(validated.mtls ?? {}));
 * workloadOf(facts)?.spiffeId; // 'spiffe://prod/ns/billing/sa/api'
 * ```
 */
export function createWorkloadReader(
  presented: (facts: RequestFacts) => PresentedCertificate,
): WorkloadReader {
  const known = new Map<string, WorkloadIdentity | undefined>();
  return (facts) => {
    const certificate = presented(facts);
    if (!certificate || 'problem' in certificate || !certificate.verified) return undefined;
    const thumbprint = certificateThumbprint(certificate.der);
    if (known.has(thumbprint)) return known.get(thumbprint);
    let identity: WorkloadIdentity | undefined;
    try {
      const parsed = new X509Certificate(certificate.der);
      const spiffeId = spiffeIdOf(parsed);
      identity = Object.freeze({
        subject: parsed.subject.replaceAll('\n', ', '),
        certificateThumbprint: thumbprint,
        ...(spiffeId ? { spiffeId } : {}),
      });
    } catch {
      identity = undefined;
    }
    if (known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value as string);
    known.set(thumbprint, identity);
    return identity;
  };
}
