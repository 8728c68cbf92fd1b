/** The simplest sink: a function called with each record, in order, off the request's path. */
import type { AuditRecord } from '../schema.js';
import type { AuditSink } from '../sink.js';

/**
 * Creates a sink that calls `listener` once per record (awaiting it when it returns a promise).
 *
 * @example
 * ```ts
 * createGuard({ issuers, audit: { sinks: [createCallbackSink((record) => queue.push(record))] } });
 * ```
 */
export function createCallbackSink(
  listener: (record: AuditRecord) => void | Promise<void>,
  name = 'callback',
): AuditSink {
  return {
    name,
    async write(records) {
      for (const record of records) await listener(record);
    },
  };
}
