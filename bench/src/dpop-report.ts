/**
 * What a DPoP request costs next to a Bearer request (RFC 9449's price for a token a thief cannot use):
 * the micro DPoP case (cached token, new proof, replay store) against the Bearer cache hit, as the ratio of
 * the two samples taken in the same round, summarised over rounds.
 */
import { MICRO_CASES, type MicroResult } from './micro.js';
import type { BenchAlgorithm } from './profiles.js';
import { type Summary, summarize } from './stats.js';

/** The DPoP figures of one algorithm (of the access token; proofs are ES256). */
export interface DpopRow {
  readonly alg: BenchAlgorithm;
  readonly dpopMicros: Summary;
  readonly bearerMicros: Summary;
  /** CPU per DPoP call ÷ CPU per Bearer call, paired per round. */
  readonly ratio: Summary;
  /** CPU per DPoP call − CPU per Bearer call, paired per round, in µs. */
  readonly addedMicros: Summary;
}

/**
 * The rows of every algorithm measured with both cases (none for a run from before the DPoP case).
 *
 * @example
 * ```ts
 * analyseDpop(report.micro)[0]?.ratio.median; // e.g. 20: a DPoP request costs 20 Bearer cache hits
 * ```
 */
export function analyseDpop(results: readonly MicroResult[]): DpopRow[] {
  return results.flatMap(({ alg, cases }) => {
    const dpop = cases.find((c) => c.name === MICRO_CASES.dpop);
    const bearer = cases.find((c) => c.name === MICRO_CASES.hit);
    if (!dpop || !bearer || dpop.failures > 0 || bearer.failures > 0) return [];
    const paired = (f: (dpopNs: number, bearerNs: number) => number) =>
      summarize(dpop.samplesNs.map((ns, round) => f(ns, bearer.samplesNs[round] ?? Number.NaN)));
    return [
      {
        alg,
        dpopMicros: summarize(dpop.samplesNs.map((ns) => ns / 1000)),
        bearerMicros: summarize(bearer.samplesNs.map((ns) => ns / 1000)),
        ratio: paired((d, b) => d / b),
        addedMicros: paired((d, b) => (d - b) / 1000),
      },
    ];
  });
}

/**
 * One line per algorithm, for the console.
 *
 * @example
 * ```ts
 * for (const line of dpopLines(analysis.dpop)) console.log(line);
 * ```
 */
export function dpopLines(rows: readonly DpopRow[]): string[] {
  return rows.map(
    (r) =>
      `  ${r.alg}: DPoP ${r.dpopMicros.median.toFixed(1)} µs vs Bearer ${r.bearerMicros.median.toFixed(1)} µs` +
      ` per call: ${r.ratio.median.toFixed(1)}× (+${r.addedMicros.median.toFixed(1)} µs)`,
  );
}
