/**
 * Writes records through a child of the application's pino logger, so they land wherever its logs go.
 * Records are nested under one key (`audit` by default): pino writes its own `time`, `level` and `msg`,
 * and merging a record into the top level would produce duplicate JSON keys.
 */
import type { AuditRecord } from '../schema.js';
import type { AuditSink } from '../sink.js';

type LogMethod = (object: Record<string, unknown>, message: string) => void;

/** The part of a pino child logger this sink uses. */
export interface PinoChildLike {
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

/** The part of a pino logger this sink uses (pino itself needs no import here). */
export interface PinoLike {
  child(bindings: Record<string, unknown>): PinoChildLike;
}

/** Options of {@link createPinoSink}. */
export interface PinoSinkOptions {
  /** Bindings of the child logger. Default `{ component: 'nevertrust-audit' }`. */
  readonly bindings?: Record<string, unknown>;
  /** Key under which the record is logged. Default `audit`. */
  readonly key?: string;
}

function levelOf(record: AuditRecord): keyof PinoChildLike {
  if (record.type === 'gap') return 'error';
  if (record.type !== 'decision' || record.outcome === 'deny') return 'warn';
  return 'info';
}

/**
 * Creates a sink logging through `logger.child(bindings)`: allows at `info`, denials, detections and key
 * changes at `warn`, gaps at `error`.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * createGuard({ issuers, audit: { sinks: [createPinoSink(pino())] } });
 * ```
 */
export function createPinoSink(logger: PinoLike, options: PinoSinkOptions = {}): AuditSink {
  const child = logger.child(options.bindings ?? { component: 'nevertrust-audit' });
  const key = options.key ?? 'audit';
  return {
    name: 'pino',
    write(records) {
      for (const record of records)
        child[levelOf(record)]({ [key]: record }, `nevertrust.audit ${record.type}`);
    },
  };
}
