/**
 * What an opaque token verified by introspection costs next to a JWT: the cold case (a new token, one
 * round trip to the introspection endpoint) against the JWT miss (a new JWT, one local signature check),
 * and the cached case against the JWT cache hit — each as the ratio of the two samples taken in the same
 * round, summarised over rounds. Cold figures are given in CPU and in wall time: the round trip's wait
 * costs the API no CPU but is latency its caller sees.
 */
import { figure, SECTIONS, table } from './markdown-cells.js';
import { type CaseResult, MICRO_CASES, type MicroResult } from './micro.js';
import type { BenchAlgorithm } from './profiles.js';
import { type Summary, summarize } from './stats.js';

/** The introspection figures next to the JWTs of one algorithm. */
export interface IntrospectionRow {
  /** The JWTs' algorithm (the opaque tokens have none). */
  readonly alg: BenchAlgorithm;
  readonly coldMicros: Summary;
  readonly coldWallMicros: Summary;
  readonly jwtMissMicros: Summary;
  /** CPU per cold call ÷ CPU per JWT miss, paired per round. */
  readonly coldRatio: Summary;
  /** Wall time per cold call ÷ wall time per JWT miss, paired per round. */
  readonly coldWallRatio: Summary;
  readonly cachedMicros: Summary;
  readonly jwtHitMicros: Summary;
  /** CPU per cached call ÷ CPU per JWT cache hit, paired per round. */
  readonly cachedRatio: Summary;
}

const micros = (samplesNs: readonly number[]) => summarize(samplesNs.map((ns) => ns / 1000));

function paired(a: readonly number[], b: readonly number[]): Summary {
  return summarize(a.map((ns, round) => ns / (b[round] ?? Number.NaN)));
}

/**
 * The rows of every algorithm measured with all four cases, none failing (none for an older run).
 *
 * @example
 * ```ts
 * analyseIntrospection(report.micro)[0]?.coldRatio.median; // e.g. 4: a cold introspection costs 4 JWT misses
 * ```
 */
export function analyseIntrospection(results: readonly MicroResult[]): IntrospectionRow[] {
  return results.flatMap(({ alg, cases }) => {
    const find = (name: string) => cases.find((c) => c.name === name);
    const found = [
      MICRO_CASES.introspectionCold,
      MICRO_CASES.miss,
      MICRO_CASES.introspectionCached,
      MICRO_CASES.hit,
    ].map(find);
    if (found.some((c) => c === undefined || c.failures > 0)) return [];
    const [cold, miss, cached, hit] = found as [CaseResult, CaseResult, CaseResult, CaseResult];
    return [
      {
        alg,
        coldMicros: micros(cold.samplesNs),
        coldWallMicros: micros(cold.wallSamplesNs),
        jwtMissMicros: micros(miss.samplesNs),
        coldRatio: paired(cold.samplesNs, miss.samplesNs),
        coldWallRatio: paired(cold.wallSamplesNs, miss.wallSamplesNs),
        cachedMicros: micros(cached.samplesNs),
        jwtHitMicros: micros(hit.samplesNs),
        cachedRatio: paired(cached.samplesNs, hit.samplesNs),
      },
    ];
  });
}

/**
 * One line per algorithm, for the console.
 *
 * @example
 * ```ts
 * for (const line of introspectionLines(analysis.introspection)) console.log(line);
 * ```
 */
export function introspectionLines(rows: readonly IntrospectionRow[]): string[] {
  return rows.map(
    (r) =>
      `  vs ${r.alg} JWT: cold ${r.coldMicros.median.toFixed(1)} µs CPU (${r.coldWallMicros.median.toFixed(1)} µs wall)` +
      ` = ${r.coldRatio.median.toFixed(1)}× the JWT miss (${r.coldWallRatio.median.toFixed(1)}× wall);` +
      ` cached ${r.cachedMicros.median.toFixed(2)} µs = ${r.cachedRatio.median.toFixed(2)}× the JWT cache hit`,
  );
}

/**
 * The report's section (none for a run without the cases).
 *
 * @example
 * ```ts
 * parts.push(...introspectionSection(analysis.introspection));
 * ```
 */
export function introspectionSection(rows: readonly IntrospectionRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    `## ${SECTIONS.introspection}`,
    '',
    'Cold: one `evaluate` with an opaque token never seen before, so one RFC 7662 call (`client_secret_basic`,' +
      ' HTTP on 127.0.0.1) to the test kit introspection endpoint running in the parent process, against the JWT' +
      ' miss above (a JWT never seen before). Cached: the same opaque token again, answered from the cached' +
      ' introspection result (the requirement still checked), against the JWT cache hit. CPU is the measuring' +
      " process's only (the endpoint's work is not counted); wall time includes the round trip. Ratios are" +
      ' paired per round.',
    '',
    table(
      [
        'JWT alg',
        'cold µs CPU',
        'cold µs wall',
        'JWT miss µs',
        'cold ÷ miss (CPU)',
        'cold ÷ miss (wall)',
        'cached µs',
        'JWT hit µs',
        'cached ÷ hit',
      ],
      rows.map((r) => [
        r.alg,
        figure(r.coldMicros, 1),
        figure(r.coldWallMicros, 1),
        figure(r.jwtMissMicros, 1),
        figure(r.coldRatio, 1),
        figure(r.coldWallRatio, 1),
        figure(r.cachedMicros, 2),
        figure(r.jwtHitMicros, 2),
        figure(r.cachedRatio, 2),
      ]),
    ),
    '',
  ];
}
