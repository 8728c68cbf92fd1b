/**
 * "What each feature costs": one table of the report pricing every optional feature from the figures of the
 * run (and of the stored Redis and footprint runs the report includes) — each price a ratio against the same
 * request without the feature, with the section holding the detail. Nothing here is a constant: a figure
 * the run did not measure shows as a dash.
 */
import type { BoundRow } from './bound-report.js';
import type { FootprintRow } from './footprint.js';
import { footprintAdded, mb } from './footprint-report.js';
import type { IntrospectionRow } from './introspection-report.js';
import { figure, num, SECTIONS, sectionLink, table } from './markdown-cells.js';
import { analyseRedis } from './redis-report.js';
import { REDIS_ALG, type RedisBenchResult } from './redis-run.js';
import type { Analysis } from './report.js';
import { type Summary, summarize } from './stats.js';

/** The stored figures the report includes next to the run's own. */
export interface CostSources {
  /** `bench/results/redis.json`: the Redis section's figures. */
  readonly redis?: RedisBenchResult | undefined;
  /** `bench/results/footprint.json`: the footprint section's figures. */
  readonly footprint?: readonly FootprintRow[] | undefined;
}

/** One row: the feature, what is divided by what, the case, the figure, the section with the detail. */
type Row = readonly [feature: string, price: string, subject: string, measured: string, detail: string];

const NOT_MEASURED = '–';
/** Frameworks whose adapter is priced by its req/s next to the bare framework (the newer adapters). */
const ADAPTERS = ['hono', 'nest-express', 'nest-fastify'] as const;

const times = (summary: Summary) =>
  summary.n === 0 ? NOT_MEASURED : `${figure(summary, summary.median >= 10 ? 1 : 2)} ×`;

/** Rows per algorithm of a micro comparison, or one dash row when the run has none. */
function perAlg<T extends { readonly alg: string }>(
  rows: readonly T[],
  feature: string,
  price: string,
  pick: (row: T) => Summary,
  section: string,
): Row[] {
  if (rows.length === 0) return [[feature, price, NOT_MEASURED, NOT_MEASURED, sectionLink(section)]];
  return rows.map((row) => [feature, price, `${row.alg} token`, times(pick(row)), sectionLink(section)]);
}

function boundRows(dpop: readonly BoundRow[], certificateBound: readonly BoundRow[]): Row[] {
  const perCall = 'CPU per call ÷ Bearer cache hit, token cached';
  return [
    ...perAlg(dpop, 'DPoP (RFC 9449), new proof every call', perCall, (r) => r.ratio, SECTIONS.dpop),
    ...perAlg(
      certificateBound,
      'Certificate-bound token (RFC 8705), certificate checked every call',
      perCall,
      (r) => r.ratio,
      SECTIONS.certificateBound,
    ),
  ];
}

function introspectionRows(rows: readonly IntrospectionRow[]): Row[] {
  const opaque = 'Opaque token by introspection (RFC 7662)';
  return [
    ...perAlg(rows, `${opaque}, cold`, 'CPU per call ÷ JWT miss', (r) => r.coldRatio, SECTIONS.introspection),
    ...perAlg(
      rows,
      `${opaque}, cached answer`,
      'CPU per call ÷ JWT cache hit',
      (r) => r.cachedRatio,
      SECTIONS.introspection,
    ),
  ];
}

function redisRows(result: RedisBenchResult | undefined): Row[] {
  const rows = result ? analyseRedis(result) : [];
  const detail = `${sectionLink(SECTIONS.redis)}${result ? ` (measured ${result.startedAt})` : ''}`;
  const pair = (subject: string, feature: string): Row[] => {
    const row = rows.find((r) => r.subject === subject);
    const cpu = row?.cpuRatio ?? summarize([]);
    const wall = row?.wallRatio ?? summarize([]);
    const versus = 'per `evaluate` ÷ in-process stores, token cached';
    return [
      [feature, `CPU ${versus}`, `${REDIS_ALG} token`, times(cpu), detail],
      [feature, `wall time ${versus}`, `${REDIS_ALG} token`, times(wall), detail],
    ];
  };
  return [
    ...pair('no rate limit', 'Redis revocation store'),
    ...pair('per-principal rate limit', 'Redis rate-limit counters (and revocation store)'),
  ];
}

function adapterRows(analysis: Analysis): Row[] {
  const measured = analysis.http.filter(
    (r) =>
      (ADAPTERS as readonly string[]).includes(r.framework) &&
      r.variant === 'nevertrust' &&
      r.mode === 'same',
  );
  const feature = (framework: string) =>
    framework === 'hono' ? '@nevertrust/hono' : `@nevertrust/nestjs (${framework.slice('nest-'.length)})`;
  const price = 'req/s ÷ the same framework without auth, same token';
  if (measured.length === 0) {
    return [['Hono and NestJS adapters', price, NOT_MEASURED, NOT_MEASURED, sectionLink(SECTIONS.http)]];
  }
  return measured.map((r) => [
    feature(r.framework),
    price,
    `${r.framework} ${r.alg}`,
    times(r.ratioVsNone),
    sectionLink(SECTIONS.http),
  ]);
}

function footprintRows(rows: readonly FootprintRow[] | undefined): Row[] {
  const nevertrust = footprintAdded(rows ?? []).filter((row) => row.name.startsWith('nevertrust'));
  const detail = sectionLink(SECTIONS.footprint);
  if (nevertrust.length === 0) {
    return [['Footprint', 'next to the same app without auth', NOT_MEASURED, NOT_MEASURED, detail]];
  }
  return nevertrust.flatMap((row): Row[] => {
    const subject = row.name;
    return [
      [
        'Footprint: start-up RSS',
        'added to the app without auth',
        subject,
        `${mb(row.rssAddedBytes)} MB`,
        detail,
      ],
      ['Footprint: import time', 'of the adapter package', subject, `${num(row.importMs, 0)} ms`, detail],
      ['Footprint: modules loaded', 'by the import', subject, String(row.modules), detail],
      [
        'Footprint: installed size',
        'added to the app without auth',
        subject,
        `${mb(row.installedAddedBytes)} MB`,
        detail,
      ],
    ];
  });
}

/**
 * The section, placed right after the targets.
 *
 * @example
 * ```ts
 * parts.push(...featureCostSection(analysis, { redis, footprint }));
 * ```
 */
export function featureCostSection(analysis: Analysis, sources: CostSources): string[] {
  return [
    `## ${SECTIONS.prices}`,
    '',
    'Each optional feature next to the same request without it, from the figures below: micro ratios are' +
      ' paired per round (median, range in brackets); the Redis figures are those of its section, the' +
      ' footprint those of the latest `--footprint` run (medians of 5 processes, no range). A dash: not' +
      ' measured in the runs this report includes.',
    '',
    table(
      ['Feature', 'Price', 'Case', 'Measured: median (min–max)', 'Detail'],
      [
        ...boundRows(analysis.dpop, analysis.certificateBound),
        ...introspectionRows(analysis.introspection),
        ...redisRows(sources.redis),
        ...adapterRows(analysis),
        ...footprintRows(sources.footprint),
      ],
    ),
    '',
  ];
}
