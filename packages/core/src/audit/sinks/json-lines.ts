/**
 * JSON lines: one record per line, to a stream (stdout, a socket, a pipe) or to a file rotated by size.
 * `JSON.stringify` escapes every control character, so no record can forge a second line (attack #43).
 */
import type { Writable } from 'node:stream';
import type { AuditRecord } from '../schema.js';
import type { AuditSink } from '../sink.js';
import { createRotatingFile, type RotationSettings } from './rotating-file.js';

/** Where JSON lines go: a writable stream, or a file path with optional rotation. */
export type JsonLinesTarget =
  | { readonly stream: Writable; readonly name?: string }
  | ({ readonly path: string; readonly name?: string } & RotationSettings);

/**
 * Serialises records as newline-terminated JSON.
 *
 * @example
 * ```ts
 * socket.write(toJsonLines(records));
 * ```
 */
export function toJsonLines(records: readonly AuditRecord[]): string {
  let text = '';
  for (const record of records) text += `${JSON.stringify(record)}\n`;
  return text;
}

function writeToStream(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.destroyed || stream.writableEnded) {
      reject(new Error('audit stream is closed'));
      return;
    }
    // Backpressure: the write settles only once the stream accepted it, so a slow consumer fills the
    // queue (and records are dropped and counted) instead of growing memory without bound.
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Creates a JSON-lines sink.
 *
 * @example
 * ```ts
 * createGuard({ issuers, audit: { sinks: [
 *   createJsonLinesSink({ stream: process.stdout }),
 *   createJsonLinesSink({ path: '/var/log/authz.jsonl', maxBytes: 50 * 1024 * 1024, maxFiles: 10 }),
 * ] } });
 * ```
 */
export function createJsonLinesSink(target: JsonLinesTarget): AuditSink {
  if ('stream' in target) {
    const { stream } = target;
    return {
      name: target.name ?? 'json-lines:stream',
      write: (records) => writeToStream(stream, toJsonLines(records)),
    };
  }
  const file = createRotatingFile(target.path, target);
  return {
    name: target.name ?? `json-lines:${target.path}`,
    write: (records) => file.append(toJsonLines(records)),
    close: () => file.close(),
  };
}
