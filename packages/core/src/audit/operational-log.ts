/**
 * The operational log: what an operator must hear about without asking — keys that cannot be fetched
 * (and whether stale ones still verify), keys that recover, store faults, audit records lost. A guard
 * whose provider is unreachable answers every request with 503; before this log it did so in silence.
 *
 * It listens where the metrics do (it is a {@link MetricsRecorder}), so every fault that is counted can be
 * logged, and it logs changes rather than repetitions: a failing key endpoint is one line when it starts
 * failing (or fails differently) and one when it recovers, a faulty store one line per store per
 * {@link REPEAT_AFTER_MS} with the count since the last line. Details never hold a token or a response body.
 */
import type { KeyHealthSummary } from '../keys/key-health.js';
import type { KeyFetchReport } from '../keys/key-set-fetch.js';
import type { StoreFaultReport } from '../model/store-faults.js';
import type { IntrospectionReport } from '../token/introspector.js';
import type { LossReason } from './queue.js';
import type { MetricsRecorder } from './recorder.js';

/** A pino-compatible logger: `warn` and `error` are required, `info` and `debug` optional. */
export interface OperationalLogger {
  error(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  info?(details: Record<string, unknown>, message: string): void;
  debug?(details: Record<string, unknown>, message: string): void;
}

/** How often a repeating fault (a store, a sink losing records) is logged again, with its count. */
export const REPEAT_AFTER_MS = 60_000;

/**
 * The default logger: one line per warning or error on stderr; `info` and `debug` are not written.
 *
 * @example
 * ```ts
 * createGuard({ issuers, logger: pino() }); // or logger: false to silence it
 * ```
 */
export const STDERR_LOGGER: OperationalLogger = {
  error: (details, message) =>
    process.stderr.write(`nevertrust error: ${message} ${JSON.stringify(details)}\n`),
  warn: (details, message) =>
    process.stderr.write(`nevertrust warning: ${message} ${JSON.stringify(details)}\n`),
};

/** What the log needs besides the logger. */
export interface OperationalLogSettings {
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /**
   * The current health of an issuer's keys, to tell stale-but-verifying keys from none, and what they verify
   * (a transmitter's keys: its signals are refused, not requests).
   */
  readonly keyHealth: (issuer: string) => KeyHealthSummary | undefined;
}

/**
 * Creates the operational log as a metrics recorder for the guard's monitor.
 *
 * @example
 * ```ts
 * const recorders = [...monitoring.metrics, createOperationalLog(logger, { clock, keyHealth })];
 * ```
 */
export function createOperationalLog(
  logger: OperationalLogger,
  settings: OperationalLogSettings,
): MetricsRecorder {
  const failing = new Map<string, string>();
  const repeats = new Map<string, { last: number; count: number }>();

  /** Logs a repeating fault at most once per period, with how many happened since the last line. */
  const throttled = (key: string, count: number, log: (count: number) => void) => {
    const now = settings.clock();
    const seen = repeats.get(key);
    if (seen && now - seen.last < REPEAT_AFTER_MS) {
      seen.count += count;
      return;
    }
    repeats.set(key, { last: now, count: 0 });
    log(count + (seen?.count ?? 0));
  };

  return {
    keyFetch(report: KeyFetchReport) {
      const { issuer } = report;
      if (report.ok) {
        if (!failing.delete(issuer)) return;
        logger.info?.(
          { code: 'KEYS_RECOVERED', issuer, keyCount: report.keyCount },
          `keys of ${issuer} fetched again`,
        );
        return;
      }
      const reason = `${report.code ?? 'unknown'}: ${report.error ?? 'key fetch failed'}`;
      if (failing.get(issuer) === reason) return;
      failing.set(issuer, reason);
      const health = settings.keyHealth(issuer);
      const details = { issuer, url: report.url, reason: report.code, detail: report.error };
      if (health?.state === 'stale') {
        logger.warn(
          { code: 'KEYS_STALE', ...details, usableUntil: health.usableUntil },
          `cannot refresh the keys of ${issuer} (${reason}${report.url ? ` at ${report.url}` : ''}); still verifying with stale keys`,
        );
      } else {
        logger.error(
          { code: 'ERR_KEYS_UNAVAILABLE', ...details },
          `no usable keys for ${issuer} (${reason}${report.url ? ` at ${report.url}` : ''}); ${health?.uses.includes('access-token') === false ? 'its signals are refused' : 'its tokens are refused with 503'}`,
        );
      }
    },

    introspection(report: IntrospectionReport) {
      const key = `introspection:${report.issuer}`;
      const { issuer, reason } = report;
      if (report.outcome === 'active' || report.outcome === 'inactive') {
        if (failing.delete(key)) {
          logger.info?.(
            { code: 'INTROSPECTION_RECOVERED', issuer },
            `introspection at ${issuer} answers again`,
          );
        }
        return;
      }
      if (report.outcome !== 'unavailable' || failing.get(key) === reason) return;
      failing.set(key, reason ?? 'unknown');
      logger.error(
        { code: 'ERR_INTROSPECTION_UNAVAILABLE', issuer, reason },
        `introspection at ${issuer} failed (${reason}); its opaque tokens are refused with 503`,
      );
    },

    storeFault(report: StoreFaultReport) {
      throttled(`store:${report.store}`, 1, (count) =>
        logger.warn(
          {
            code: report.code,
            store: report.store,
            cause: report.cause,
            failedOpen: report.failedOpen,
            count,
          },
          report.failedOpen
            ? `${report.store} store failing (${report.cause}); requests go on without it (failOpen)`
            : `${report.store} store failing (${report.cause}); requests that need it are refused with 503`,
        ),
      );
    },

    auditLoss(sink: string, reason: LossReason, count: number) {
      throttled(`sink:${sink}:${reason}`, count, (lost) =>
        logger.warn(
          { code: 'AUDIT_RECORDS_LOST', sink, reason, count: lost },
          `audit sink ${sink} lost ${lost} records (${reason})`,
        ),
      );
    },
  };
}
