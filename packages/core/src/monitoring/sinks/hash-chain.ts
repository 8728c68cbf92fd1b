/**
 * The tamper-evident file sink: JSON lines whose records form a hash chain (see `chain.ts`), verified
 * with `nevertrust-audit verify`. The chain resumes across restarts and rotations from the last complete
 * line on disk. One writer per file: two processes appending to the same file would fork the chain.
 */
import { type ChainedRecord, type ChainLink, chainHash, GENESIS_HASH } from '../chain.js';
import type { AuditSink } from '../sink.js';
import { createRotatingFile, type RotationSettings } from './rotating-file.js';

/** Options of {@link createHashChainSink}. */
export interface HashChainSinkOptions extends RotationSettings {
  readonly path: string;
  /**
   * HMAC key (at least 32 bytes). Without it anyone able to edit the file can recompute the whole chain;
   * with it, only holders of the key can. Keep it out of the trail and away from the log host.
   */
  readonly key?: string | Uint8Array;
  readonly name?: string;
}

function resumeFrom(line: string | undefined): ChainLink | undefined {
  if (line === undefined) return undefined;
  try {
    const link = (JSON.parse(line) as { chain?: Partial<ChainLink> }).chain;
    if (typeof link?.seq === 'number' && typeof link.hash === 'string' && typeof link.prev === 'string') {
      return { seq: link.seq, prev: link.prev, hash: link.hash };
    }
  } catch {
    // Not a chained record: the file will fail verification there, and the chain starts over after it.
  }
  return undefined;
}

/**
 * Creates a hash-chained JSON-lines file sink.
 *
 * @example
 * ```ts
 * createGuard({ issuers, audit: { sinks: [
 *   createHashChainSink({ path: '/var/log/authz.chain', key: auditKey, maxBytes: 100 * 1024 * 1024 }),
 * ] } });
 * // later: npx nevertrust-audit verify --key-file audit.key /var/log/authz.chain
 * ```
 */
export function createHashChainSink(options: HashChainSinkOptions): AuditSink {
  if (options.key !== undefined && Buffer.byteLength(options.key) < 32) {
    throw new RangeError('hash chain key: expected at least 32 bytes');
  }
  const file = createRotatingFile(options.path, options);
  let last: ChainLink | undefined;
  let resumed = false;
  return {
    name: options.name ?? `hash-chain:${options.path}`,
    async write(records) {
      if (!resumed) {
        last = resumeFrom(await file.lastLine());
        resumed = true;
      }
      let link = last;
      let text = '';
      for (const record of records) {
        const seq = link ? link.seq + 1 : 0;
        const prev = link ? link.hash : GENESIS_HASH;
        link = { seq, prev, hash: chainHash(seq, prev, record, options.key) };
        const chained: ChainedRecord = { ...record, chain: link };
        text += `${JSON.stringify(chained)}\n`;
      }
      await file.append(text);
      // Only a completed write moves the chain on: after a failed batch the next one reuses its numbers.
      last = link;
    },
    close: () => file.close(),
  };
}
