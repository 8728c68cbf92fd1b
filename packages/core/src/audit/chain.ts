/**
 * Verifying the hash chain of a tamper-evident audit file. Each line is a record whose last member is
 * `chain: { seq, prev, hash }`, `hash` covering every byte of the line before it (see `chain-line.ts`) and
 * `prev` being the previous record's hash (64 zeros for the first). Editing a record breaks its own hash;
 * deleting, inserting or reordering lines breaks the sequence or the link to the previous hash. With a key,
 * the hash is HMAC-SHA-256, so someone able to edit the file cannot recompute a consistent chain either.
 * A torn line (a write cut short by a crash) is reported and skipped: the writer resumes the chain from the
 * last complete record, so verification goes on from there. Cutting records off the end cannot be seen
 * from the file alone: keep the reported head (`seq`, `hash`) somewhere else, e.g. in another sink.
 */
import { createReadStream } from 'node:fs';
import { type ChainKey, type ChainLink, GENESIS_HASH, parseChainLine } from './chain-line.js';
import type { AuditRecord } from './schema.js';

export { type ChainKey, type ChainLink, chainHash, chainLine, GENESIS_HASH } from './chain-line.js';

/** A record as written to a hash-chained file. */
export type ChainedRecord = AuditRecord & { readonly chain: ChainLink };

/** What {@link verifyAuditChain} found wrong, at the first broken or missing record. */
export type ChainProblem = 'malformed' | 'missing' | 'reordered' | 'altered' | 'unlinked';

/** A line cut short by a crash: reported, skipped, and verification goes on after it. */
export interface ChainTear {
  readonly file: string;
  /** 1-based line number in `file`. */
  readonly line: number;
}

/** The outcome of verifying a chained file (or several, oldest first). */
export type ChainVerification =
  | {
      readonly ok: true;
      readonly records: number;
      /** The first record's `seq` and `prev` (0 and {@link GENESIS_HASH} unless continuation was allowed). */
      readonly first?: { readonly seq: number; readonly prev: string };
      /** The last record's `seq` and `hash`: compare with a copy kept elsewhere to detect truncation. */
      readonly head?: { readonly seq: number; readonly hash: string };
      /** Torn lines met on the way, if any. */
      readonly torn?: readonly ChainTear[];
    }
  | {
      readonly ok: false;
      readonly problem: ChainProblem;
      readonly file: string;
      /** 1-based line number in `file`. */
      readonly line: number;
      /** The `seq` that should have been at that line. */
      readonly expectedSeq: number;
      readonly message: string;
      /** Torn lines met before the problem, if any. */
      readonly torn?: readonly ChainTear[];
    };

/** Options of {@link verifyAuditChain}. */
export interface ChainVerifyOptions {
  /** The HMAC key the file was written with, if any: the same bytes the sink was given. */
  readonly key?: ChainKey;
  /**
   * Accept a first record that continues an earlier file (rotation) instead of starting the chain.
   * Off by default, so deleting a file's first records is caught too.
   */
  readonly allowContinuation?: boolean;
}

/** The lines of a file as bytes (without the newline): hashes cover bytes, not decoded text. */
async function* linesOf(file: string): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a)) {
      yield data.subarray(0, end);
      data = data.subarray(end + 1);
    }
    rest = data;
  }
  if (rest.length > 0) yield rest;
}

/**
 * Verifies hash-chained audit files, given oldest first, and reports the first broken or missing record.
 * Torn lines are listed in `torn` and skipped; the record after one must follow the last good record.
 *
 * @example
 * ```ts
 * const result = await verifyAuditChain(['/var/log/authz.chain.1', '/var/log/authz.chain']);
 * if (!result.ok) console.error(`${result.file}:${result.line}: ${result.message}`);
 * ```
 */
export async function verifyAuditChain(
  files: readonly string[],
  options: ChainVerifyOptions = {},
): Promise<ChainVerification> {
  let previous: ChainLink | undefined;
  let first: { seq: number; prev: string } | undefined;
  let records = 0;
  const torn: ChainTear[] = [];
  const tears = () => (torn.length > 0 ? { torn } : {});
  for (const file of files) {
    let number = 0;
    for await (const bytes of linesOf(file)) {
      number += 1;
      const expectedSeq = previous ? previous.seq + 1 : 0;
      const fail = (problem: ChainProblem, message: string): ChainVerification => ({
        ok: false,
        problem,
        file,
        line: number,
        expectedSeq,
        message,
        ...tears(),
      });
      const parsed = parseChainLine(bytes, options.key);
      if (parsed.kind === 'torn') {
        torn.push({ file, line: number });
        continue;
      }
      if (parsed.kind === 'malformed') {
        return fail('malformed', `not a chained audit record: ${parsed.reason} (edited or inserted)`);
      }
      const { link } = parsed;
      const continuing = !previous && options.allowContinuation === true;
      if (!continuing && link.seq > expectedSeq) {
        return fail(
          'missing',
          `record ${expectedSeq}${link.seq - 1 > expectedSeq ? `–${link.seq - 1}` : ''} missing`,
        );
      }
      if (!continuing && link.seq < expectedSeq) {
        return fail(
          'reordered',
          `record ${link.seq} found where record ${expectedSeq} belongs (reordered or duplicated)`,
        );
      }
      if (!parsed.intact) return fail('altered', `record ${link.seq} does not match its hash (altered)`);
      const expectedPrev = previous ? previous.hash : continuing ? link.prev : GENESIS_HASH;
      if (link.prev !== expectedPrev) {
        return fail(
          'unlinked',
          `record ${link.seq} does not follow the record before it (replaced or removed)`,
        );
      }
      first ??= { seq: link.seq, prev: link.prev };
      previous = link;
      records += 1;
    }
  }
  return {
    ok: true,
    records,
    ...(first ? { first } : {}),
    ...(previous ? { head: { seq: previous.seq, hash: previous.hash } } : {}),
    ...tears(),
  };
}
