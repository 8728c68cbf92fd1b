/**
 * One line of a hash-chained audit file, byte for byte. The line is the record's JSON with `chain` as its
 * last member, `"chain":{"seq":N,"prev":"<64 hex>","hash":"<64 hex>"}`, and `hash` is SHA-256 (or
 * HMAC-SHA-256 with a key) over **every byte of the line before the hash value**: the record exactly as
 * written, `seq` and `prev`. Hashing the bytes, not a re-serialised parse, means any edit that a reader
 * could see — `{"outcome":"allow","outcome":"deny"}` reads as "allow" to `grep` or a first-member parser
 * and as "deny" to `JSON.parse` — changes the hash; and a line with duplicate or `__proto__` member names
 * is refused outright, whatever its hash (the parser differential of checklist J-13, attack #21).
 */
import { createHash, createHmac } from 'node:crypto';
import { parseStrictJsonObject } from '../model/strict-json.js';

/**
 * `prev` of the first record of a chain.
 *
 * @example
 * ```ts
 * const { text } = chainLine(record, 0, GENESIS_HASH);
 * ```
 */
export const GENESIS_HASH = '0'.repeat(64);

/** The chain fields carried by each line. */
export interface ChainLink {
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

/** A chain key: a string is its UTF-8 bytes; a key file's content is used as raw bytes. */
export type ChainKey = string | Uint8Array;

/**
 * The hash of a line's covered bytes: SHA-256, or HMAC-SHA-256 with `key`.
 *
 * @example
 * ```ts
 * chainHash('{"type":"decision","chain":{"seq":0,"prev":"00…0","hash":"'); // 64 hex digits
 * ```
 */
export function chainHash(covered: string | Uint8Array, key?: ChainKey): string {
  const hasher = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  return hasher.update(covered).digest('hex');
}

/**
 * Writes one record as a chained line (without the newline).
 *
 * @example
 * ```ts
 * const { text, link } = chainLine(record, last ? last.seq + 1 : 0, last?.hash ?? GENESIS_HASH, key);
 * await file.append(`${text}\n`);
 * ```
 */
export function chainLine(
  record: object,
  seq: number,
  prev: string,
  key?: ChainKey,
): { readonly text: string; readonly link: ChainLink } {
  const { chain: _ignored, ...fields } = record as Record<string, unknown>;
  const json = JSON.stringify(fields);
  const covered = `${json.slice(0, -1)}${json === '{}' ? '' : ','}"chain":{"seq":${seq},"prev":"${prev}","hash":"`;
  const hash = chainHash(covered, key);
  return { text: `${covered}${hash}"}}`, link: { seq, prev, hash } };
}

/** What one line of a chained file is. */
export type ParsedChainLine =
  | { readonly kind: 'record'; readonly link: ChainLink; readonly intact: boolean }
  /** Not a complete JSON text: a write cut short (a crash or a full disk mid-line). */
  | { readonly kind: 'torn' }
  | { readonly kind: 'malformed'; readonly reason: string };

// The line's tail: `chain` is the root's last member, `hash` its last. 67 = 64 hex digits + `"}}`.
const TAIL =
  /(?:^\{|,)"chain":\{"seq":(0|[1-9]\d{0,15}),"prev":"([0-9a-f]{64})","hash":"([0-9a-f]{64})"\}\}$/;
const TAIL_BYTES = 67;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one line (its bytes, without the newline) and checks its hash over exactly those bytes.
 *
 * @example
 * ```ts
 * const line = parseChainLine(bytes, key);
 * if (line.kind === 'record' && !line.intact) report('altered');
 * ```
 */
export function parseChainLine(bytes: Uint8Array, key?: ChainKey): ParsedChainLine {
  const loose = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const parsed = parseStrictJsonObject(loose);
  if (!parsed.ok && parsed.reason === 'not valid JSON') return { kind: 'torn' };
  if (!parsed.ok) return { kind: 'malformed', reason: parsed.reason };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'malformed', reason: 'not valid UTF-8' };
  }
  const tail = TAIL.exec(text);
  if (!tail) return { kind: 'malformed', reason: 'no chain link as the last member' };
  const seq = Number(tail[1]);
  if (!Number.isSafeInteger(seq)) return { kind: 'malformed', reason: 'seq out of range' };
  const link: ChainLink = { seq, prev: tail[2] as string, hash: tail[3] as string };
  const covered = bytes.subarray(0, bytes.byteLength - TAIL_BYTES);
  return { kind: 'record', link, intact: chainHash(covered, key) === link.hash };
}
