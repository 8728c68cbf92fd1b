/**
 * Publishes records on a Node `diagnostics_channel`, so APMs and in-process tooling can subscribe
 * without any configuration of the guard beyond adding this sink.
 */
import { channel } from 'node:diagnostics_channel';
import type { AuditSink } from '../sink.js';

/**
 * The default channel name.
 *
 * @example
 * ```ts
 * subscribe(AUDIT_CHANNEL, (record) => console.log(record));
 * ```
 */
export const AUDIT_CHANNEL = 'nevertrust:audit';

/**
 * Creates a sink publishing each record as the message of `channelName`.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe('nevertrust:audit', (record) => apm.track(record));
 * createGuard({ issuers, audit: { sinks: [createDiagnosticsChannelSink()] } });
 * ```
 */
export function createDiagnosticsChannelSink(channelName: string = AUDIT_CHANNEL): AuditSink {
  const target = channel(channelName);
  return {
    name: `diagnostics-channel:${channelName}`,
    write(records) {
      if (!target.hasSubscribers) return;
      for (const record of records) target.publish(record);
    },
  };
}
