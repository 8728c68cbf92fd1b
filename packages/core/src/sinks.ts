/**
 * `@nevertrust/core/sinks` — audit sinks that write outside the process, and the verifier of the
 * tamper-evident files. Kept off the main entry: an application that audits through `onAudit`, a
 * callback or `diagnostics_channel` never needs them, and `nevertrust-audit verify` (in `@nevertrust/cli`)
 * needs only the verifier.
 *
 * @example
 * ```ts
 * import { createGuard } from '@nevertrust/core';
 * import { createHashChainSink, createJsonLinesSink } from '@nevertrust/core/sinks';
 * createGuard({ issuers, audit: { sinks: [
 *   createJsonLinesSink({ stream: process.stdout }),
 *   createHashChainSink({ path: '/var/log/authz.chain', key: readFileSync('/etc/nevertrust/audit.key') }),
 * ] } });
 * ```
 *
 * @packageDocumentation
 */
export {
  type ChainedRecord,
  type ChainKey,
  type ChainLink,
  type ChainProblem,
  type ChainTear,
  type ChainVerification,
  type ChainVerifyOptions,
  chainHash,
  chainLine,
  GENESIS_HASH,
  verifyAuditChain,
} from './audit/chain.js';
export { createHashChainSink, type HashChainSinkOptions } from './audit/sinks/hash-chain.js';
export { createJsonLinesSink, type JsonLinesTarget } from './audit/sinks/json-lines.js';
export {
  createPinoSink,
  type PinoChildLike,
  type PinoLike,
  type PinoSinkOptions,
} from './audit/sinks/pino.js';
export type { RotationSettings } from './audit/sinks/rotating-file.js';
