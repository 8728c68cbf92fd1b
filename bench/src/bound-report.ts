/**
 * What a sender-constrained request costs next to a Bearer request — the price of a token a thief cannot
 * use: a micro case with a bound token already cached (a DPoP proof checked per call, RFC 9449, or the TLS
 * client certificate hashed and compared per call, RFC 8705) against the Bearer cache hit, as the ratio of
 * the two samples taken in the same round, summarised over rounds.
 */
import { figure, table } from './markdown-cells.js';
import { MICRO_CASES, type MicroResult } from './micro.js';
import type { BenchAlgorithm } from './profiles.js';
import { type Summary, summarize } from './stats.js';

/** The figures of one bound case next to the Bearer cache hit, for one algorithm (of the access token). */
export interface BoundRow {
  readonly alg: BenchAlgorithm;
  /** CPU per call of the bound case, in µs. */
  readonly boundMicros: Summary;
  readonly bearerMicros: Summary;
  /** CPU per bound call ÷ CPU per Bearer call, paired per round. */
  readonly ratio: Summary;
  /** CPU per bound call − CPU per Bearer call, paired per round, in µs. */
  readonly addedMicros: Summary;
}

/**
 * The rows of every algorithm measured with both `caseName` and the Bearer cache hit, neither failing
 * (none for a run from before the case).
 *
 * @example
 * ```ts
 * analyseBound(report.micro, MICRO_CASES.dpop)[0]?.ratio.median; // e.g. 20: a DPoP request costs 20 hits
 * ```
 */
export function analyseBound(results: readonly MicroResult[], caseName: string): BoundRow[] {
  return results.flatMap(({ alg, cases }) => {
    const bound = cases.find((c) => c.name === caseName);
    const bearer = cases.find((c) => c.name === MICRO_CASES.hit);
    if (!bound || !bearer || bound.failures > 0 || bearer.failures > 0) return [];
    const paired = (f: (boundNs: number, bearerNs: number) => number) =>
      summarize(bound.samplesNs.map((ns, round) => f(ns, bearer.samplesNs[round] ?? Number.NaN)));
    return [
      {
        alg,
        boundMicros: summarize(bound.samplesNs.map((ns) => ns / 1000)),
        bearerMicros: summarize(bearer.samplesNs.map((ns) => ns / 1000)),
        ratio: paired((b, h) => b / h),
        addedMicros: paired((b, h) => (b - h) / 1000),
      },
    ];
  });
}

/**
 * One line per algorithm, for the console; `label` names the bound case (`DPoP`, `certificate-bound`).
 *
 * @example
 * ```ts
 * for (const line of boundLines(analysis.dpop, 'DPoP')) console.log(line);
 * ```
 */
export function boundLines(rows: readonly BoundRow[], label: string): string[] {
  return rows.map(
    (r) =>
      `  ${r.alg}: ${label} ${r.boundMicros.median.toFixed(1)} µs vs Bearer ${r.bearerMicros.median.toFixed(1)} µs` +
      ` per call: ${r.ratio.median.toFixed(1)}× (+${r.addedMicros.median.toFixed(1)} µs)`,
  );
}

/**
 * A report section: `title`, what the case does, and one row per algorithm (none without rows).
 *
 * @example
 * ```ts
 * parts.push(...boundSection('DPoP next to Bearer (micro)', 'One `evaluate` with …', 'DPoP', analysis.dpop));
 * ```
 */
export function boundSection(
  title: string,
  description: string,
  label: string,
  rows: readonly BoundRow[],
): string[] {
  if (rows.length === 0) return [];
  return [
    `## ${title}`,
    '',
    description,
    '',
    table(
      ['Token alg', `${label} µs/op`, 'Bearer µs/op', `${label} ÷ Bearer`, 'added µs'],
      rows.map((r) => [
        r.alg,
        figure(r.boundMicros, r.boundMicros.median < 10 ? 2 : 1),
        figure(r.bearerMicros, 2),
        figure(r.ratio, r.ratio.median < 10 ? 2 : 1),
        figure(r.addedMicros, r.addedMicros.median < 10 ? 2 : 1),
      ]),
    ),
    '',
  ];
}
