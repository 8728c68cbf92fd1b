/**
 * The tamper-evident file sink: JSON lines whose records form a hash chain (see `chain.ts`), verified
 * with `nevertrust-audit verify`. The chain resumes across restarts and rotations from the last complete
 * line on disk. One writer per file: two processes appending to the same file would fork the chain.
 */
import { type ChainKey, type ChainLink, chainLine, GENESIS_HASH, parseChainLine } from '../chain-line.js';
import type { AuditSink } from '../sink.js';
import { createRotatingFile, type RotationSettings } from './rotating-file.js';

/** Options of {@link createHashChainSink}. */
export interface HashChainSinkOptions extends RotationSettings {
  readonly path: string;
  /**
   * HMAC key (at least 32 bytes). Without it anyone able to edit the file can recompute the whole chain;
   * with it, only holders of the key can. Keep it out of the trail and away from the log host. Pass a key
   * file's raw bytes (`readFileSync(path)`): `nevertrust-audit verify --key-file` reads the same bytes.
   */
  readonly key?: ChainKey;
  readonly name?: string;
}

function linkOf(line: string): ChainLink | undefined {
  const parsed = parseChainLine(Buffer.from(line, 'utf8'));
  return parsed.kind === 'record' ? parsed.link : undefined;
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
        // The last good record: lines a crash left torn (even one a later write terminated) are passed over.
        const line = await file.lastLine((text) => linkOf(text) !== undefined);
        last = line === undefined ? undefined : linkOf(line);
        resumed = true;
      }
      let link = last;
      let text = '';
      for (const record of records) {
        const line = chainLine(record, link ? link.seq + 1 : 0, link ? link.hash : GENESIS_HASH, options.key);
        link = line.link;
        text += `${line.text}\n`;
      }
      try {
        await file.append(text);
      } catch (error) {
        // Part of the batch may be on disk: resume from the file's last complete record, as after a crash,
        // so the next batch follows what a verifier will read.
        resumed = false;
        throw error;
      }
      last = link;
    },
    close: () => file.close(),
  };
}
