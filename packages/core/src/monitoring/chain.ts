/**
 * The hash chain of a tamper-evident audit file. Each line is a record plus `chain: { seq, prev, hash }`
 * where `hash = H(seq ‖ prev ‖ canonical JSON of the record)` and `prev` is the previous line's hash
 * (64 zeros for the first). Editing a record breaks its own hash; deleting, inserting or reordering lines
 * breaks the sequence or the link to the previous hash. With a key, H is HMAC-SHA-256, so someone able to
 * edit the file cannot recompute a consistent chain either. Cutting records off the end cannot be seen from
 * the file alone: keep the reported head (`seq`, `hash`) somewhere else, e.g. in another sink.
 */
import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditRecord } from './schema.js';

/**
 * `prev` of the first record of a chain.
 *
 * @example
 * ```ts
 * const first = chainHash(0, GENESIS_HASH, record);
 * ```
 */
export const GENESIS_HASH = '0'.repeat(64);

/** The chain fields carried by each line. */
export interface ChainLink {
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

/** A record as written to a hash-chained file. */
export type ChainedRecord = AuditRecord & { readonly chain: ChainLink };

/**
 * JSON with object keys sorted at every level, so a record hashes the same after a parse and re-serialise.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The hash of one link: SHA-256, or HMAC-SHA-256 with `key`, over `seq`, `prev` and the canonical record.
 *
 * @example
 * ```ts
 * const hash = chainHash(0, GENESIS_HASH, record);
 * ```
 */
export function chainHash(seq: number, prev: string, record: unknown, key?: string | Uint8Array): string {
  const hasher = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  return hasher.update(`${seq}\n${prev}\n${canonicalJson(record)}`).digest('hex');
}

/** What {@link verifyAuditChain} found wrong, at the first broken or missing record. */
export type ChainProblem = 'malformed' | 'missing' | 'reordered' | 'altered' | 'unlinked';

/** The outcome of verifying a chained file (or several, oldest first). */
export type ChainVerification =
  | {
      readonly ok: true;
      readonly records: number;
      /** The first record's `seq` and `prev` (0 and {@link GENESIS_HASH} unless continuation was allowed). */
      readonly first?: { readonly seq: number; readonly prev: string };
      /** The last record's `seq` and `hash`: compare with a copy kept elsewhere to detect truncation. */
      readonly head?: { readonly seq: number; readonly hash: string };
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
    };

/** Options of {@link verifyAuditChain}. */
export interface ChainVerifyOptions {
  /** The HMAC key the file was written with, if any. */
  readonly key?: string | Uint8Array;
  /**
   * Accept a first record that continues an earlier file (rotation) instead of starting the chain.
   * Off by default, so deleting a file's first records is caught too.
   */
  readonly allowContinuation?: boolean;
}

interface ParsedLine {
  readonly record: Record<string, unknown>;
  readonly link: ChainLink;
}

function parseLine(text: string): ParsedLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { chain, ...record } = value as Record<string, unknown>;
  const link = chain as Partial<ChainLink> | undefined;
  if (
    typeof link?.seq !== 'number' ||
    !Number.isSafeInteger(link.seq) ||
    link.seq < 0 ||
    typeof link.prev !== 'string' ||
    typeof link.hash !== 'string'
  ) {
    return undefined;
  }
  return { record, link: { seq: link.seq, prev: link.prev, hash: link.hash } };
}

/**
 * Verifies hash-chained audit files, given oldest first, and reports the first broken or missing record.
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
  for (const file of files) {
    const lines = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let number = 0;
    for await (const text of lines) {
      number += 1;
      const expectedSeq = previous ? previous.seq + 1 : 0;
      const fail = (problem: ChainProblem, message: string): ChainVerification => {
        lines.close();
        return { ok: false, problem, file, line: number, expectedSeq, message };
      };
      const parsed = parseLine(text);
      if (!parsed) return fail('malformed', 'not a chained audit record (edited, truncated or inserted)');
      const { link, record } = parsed;
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
      if (chainHash(link.seq, link.prev, record, options.key) !== link.hash) {
        return fail('altered', `record ${link.seq} does not match its hash (altered)`);
      }
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
  };
}
