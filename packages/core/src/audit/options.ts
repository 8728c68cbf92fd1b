/**
 * The guard options of continuous monitoring (audit sinks, metrics, tracing, rate limits, anomaly
 * detectors and their store), their zod schema — spread into the guard's — and their defaults.
 */
import * as z from 'zod/mini';
import { type DetectorOptions, type ResolvedDetectors, resolveDetectors } from '../limits/detectors.js';
import type { RateLimitRule } from '../limits/rate-limit.js';
import type { CounterStore } from '../limits/store.js';
import { lazySchema } from '../model/lazy-schema.js';
import { intIn } from '../model/schema-parts.js';
import { DEFAULT_STORE_TIMEOUT_MS } from '../model/store-faults.js';
import { DEFAULT_CORRELATION_HEADERS } from './correlation.js';
import { type OperationalLogger, STDERR_LOGGER } from './operational-log.js';
import type { MetricsRecorder } from './recorder.js';
import type { AuditRedactor } from './redact.js';
import type { AuditSink } from './sink.js';
import type { EvaluationTracer } from './tracing.js';

/** Where audit records go and how. */
export interface AuditOptions {
  /** Sinks, each behind its own bounded queue. */
  readonly sinks?: readonly AuditSink[];
  /** Records each sink's queue holds before dropping (and counting) new ones. Default 10 000. */
  readonly queueSize?: number;
  /** Records handed to a sink per write at most. Default 256. */
  readonly batchSize?: number;
  /**
   * Refuse requests with 503 (`ERR_AUDIT_UNAVAILABLE`) while any sink cannot take records (queue full,
   * last write failed, or more unconfirmed records than the bounds below allow), for deployments where
   * an unrecorded access is not acceptable. Default false.
   */
  readonly failClosed?: boolean;
  /**
   * Fail-closed mode: records handed to sinks but not yet confirmed written, per sink, beyond which
   * requests are refused. Default 256.
   */
  readonly maxUnconfirmedRecords?: number;
  /** Fail-closed mode: age of the oldest unconfirmed record beyond which requests are refused. Default 500 ms. */
  readonly maxUnconfirmedMs?: number;
  /** Drops or masks fields of every record before it reaches `onAudit` or a sink. */
  readonly redact?: AuditRedactor;
  /** Headers read for the correlation id, in order. Default `traceparent`, `x-request-id`, `x-correlation-id`. */
  readonly correlationHeaders?: readonly string[];
}

/** The monitoring part of {@link GuardOptions}. */
export interface MonitoringOptions {
  readonly audit?: AuditOptions;
  /** Metrics recorders, e.g. `createPrometheusMetrics()` from `@nevertrust/prometheus`. */
  readonly metrics?: readonly MetricsRecorder[];
  /** A span per evaluation, e.g. `createOpenTelemetryTracing()` from `@nevertrust/opentelemetry`. Default none. */
  readonly tracing?: EvaluationTracer;
  /**
   * Where operational faults are logged: keys that cannot be fetched or recover, store faults, lost audit
   * records. Pino-compatible (`{ warn, error, info?, debug? }`). Default: one line per warning on stderr;
   * `false` for none.
   */
  readonly logger?: OperationalLogger | false;
  /** Rate limits per peer, principal or client; none by default. */
  readonly rateLimits?: readonly RateLimitRule[];
  /** Anomaly detectors; all off by default. */
  readonly detectors?: DetectorOptions;
  /** Where rate-limit and detector counters live. Default: a bounded in-process store. */
  readonly counterStore?: CounterStore;
  /** What a counter store fault does (see {@link CounterStoreFaultOptions}). */
  readonly counterStoreFaults?: CounterStoreFaultOptions;
}

/** How faults of the counter store are answered. */
export interface CounterStoreFaultOptions {
  /**
   * Let requests through unlimited and undetected while the counter store fails (each fault is still
   * counted and published on `nevertrust:store-fault`). Default false: 503 `ERR_LIMITS_UNAVAILABLE`.
   */
  readonly failOpen?: boolean;
  /** Bound of one call to a configured `counterStore`, in milliseconds. Default 1000. */
  readonly timeoutMs?: number;
}

/** Monitoring options after validation. */
export interface ResolvedMonitoring {
  readonly audit: {
    readonly sinks: readonly AuditSink[];
    readonly queueSize: number;
    readonly batchSize: number;
    readonly failClosed: boolean;
    readonly maxUnconfirmedRecords: number;
    readonly maxUnconfirmedMs: number;
    readonly redact: AuditRedactor | undefined;
    readonly correlationHeaders: readonly string[];
  };
  readonly metrics: readonly MetricsRecorder[];
  readonly logger: OperationalLogger | undefined;
  readonly tracing: EvaluationTracer | undefined;
  readonly rateLimits: readonly RateLimitRule[];
  readonly detectors: ResolvedDetectors;
  readonly counterStore: CounterStore | undefined;
  readonly counterStoreFaults: { readonly failOpen: boolean; readonly timeoutMs: number };
}

const withMethods = <T>(what: string, methods: readonly string[]) =>
  z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
    { message: `expected ${what}` },
  );
function monitoringShape() {
  const seconds = intIn(1, 86_400);
  const detector = z.optional(
    z.union(
      [
        z.boolean(),
        z.strictObject({
          threshold: z.optional(intIn(1, 1_000_000)),
          windowSeconds: z.optional(seconds),
          blockSeconds: z.optional(seconds),
        }),
      ],
      { error: 'expected a boolean or { threshold?, windowSeconds?, blockSeconds? }' },
    ),
  );
  return {
    audit: z.optional(
      z.strictObject({
        sinks: z.optional(z.array(withMethods<AuditSink>('a sink ({ name, write })', ['write']))),
        queueSize: z.optional(intIn(1, 1_000_000)),
        batchSize: z.optional(intIn(1, 10_000)),
        failClosed: z.optional(z.boolean()),
        maxUnconfirmedRecords: z.optional(intIn(1, 1_000_000)),
        maxUnconfirmedMs: z.optional(intIn(1, 600_000)),
        redact: z.optional(
          z.custom<AuditRedactor>((value) => typeof value === 'function', { message: 'expected a function' }),
        ),
        correlationHeaders: z.optional(
          z.array(z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, 'expected a lower-case header name'))),
        ),
      }),
    ),
    metrics: z.optional(z.array(withMethods<MetricsRecorder>('a metrics recorder object', []))),
    tracing: z.optional(withMethods<EvaluationTracer>('a tracer ({ startEvaluation })', ['startEvaluation'])),
    logger: z.optional(
      z.union(
        [z.literal(false), withMethods<OperationalLogger>('a logger ({ warn, error })', ['warn', 'error'])],
        { error: 'expected a logger ({ warn, error }) or false' },
      ),
    ),
    // The option the core had before OpenTelemetry moved to its own package: an old configuration fails at
    // start-up saying where it went, rather than as an unknown option or, worse, silently untraced.
    openTelemetry: z.optional(
      z.never({
        error:
          'moved to @nevertrust/opentelemetry: pass metrics: [createOpenTelemetryMetrics()] and tracing: createOpenTelemetryTracing()',
      }),
    ),
    rateLimits: z.optional(
      z.array(
        z.strictObject({
          name: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
          by: z.enum(['peer', 'principal', 'client']),
          limit: intIn(1, 1_000_000_000),
          windowSeconds: seconds,
          routes: z.optional(
            z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'expected at least one route')),
          ),
        }),
      ),
    ),
    detectors: z.optional(
      z.strictObject({ authFailureBurst: detector, scopeProbing: detector, tokenSpread: detector }),
    ),
    counterStore: z.optional(
      withMethods<CounterStore>('a counter store', ['increment', 'distinct', 'setFlag', 'flag']),
    ),
    counterStoreFaults: z.optional(
      z.strictObject({ failOpen: z.optional(z.boolean()), timeoutMs: z.optional(intIn(1, 60_000)) }),
    ),
  };
}

/**
 * zod shapes of the monitoring options, spread into the guard's option schema (built on first use).
 *
 * @example
 * ```ts
 * const guardSchema = z.strictObject({ issuers, ...monitoringOptionsShape() });
 * ```
 */
export const monitoringOptionsShape = lazySchema(monitoringShape);

/**
 * Applies the monitoring defaults to validated options.
 *
 * @example
 * ```ts
 * const monitoring = resolveMonitoring({ audit: { failClosed: true } });
 * ```
 */
export function resolveMonitoring(options: MonitoringOptions): ResolvedMonitoring {
  const audit = options.audit ?? {};
  return {
    audit: {
      sinks: audit.sinks ?? [],
      queueSize: audit.queueSize ?? 10_000,
      batchSize: audit.batchSize ?? 256,
      failClosed: audit.failClosed ?? false,
      maxUnconfirmedRecords: audit.maxUnconfirmedRecords ?? 256,
      maxUnconfirmedMs: audit.maxUnconfirmedMs ?? 500,
      redact: audit.redact,
      correlationHeaders: audit.correlationHeaders ?? DEFAULT_CORRELATION_HEADERS,
    },
    metrics: options.metrics ?? [],
    logger: options.logger === false ? undefined : (options.logger ?? STDERR_LOGGER),
    tracing: options.tracing,
    rateLimits: options.rateLimits ?? [],
    detectors: resolveDetectors(options.detectors),
    counterStore: options.counterStore,
    counterStoreFaults: {
      failOpen: options.counterStoreFaults?.failOpen ?? false,
      timeoutMs: options.counterStoreFaults?.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
    },
  };
}
