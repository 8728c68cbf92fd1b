/**
 * Turns raw measurements into the figures the issue asks for: medians with min–max, ratios against the
 * same framework without authentication (paired within a round), and a verdict on every target.
 */
import { FRAMEWORKS, type Framework, VARIANTS } from './apps/types.js';
import { analyseBound, type BoundRow } from './bound-report.js';
import type { InstanceResult } from './http.js';
import { analyseIntrospection, type IntrospectionRow } from './introspection-report.js';
import type { TokenMode } from './load-child.js';
import { type MemoryDeltaParts, memoryDeltaParts } from './memory-parts-report.js';
import { MICRO_CASES, type MicroResult } from './micro.js';
import { ALGORITHMS, type BenchAlgorithm } from './profiles.js';
import { type Summary, summarize } from './stats.js';

/**
 * The limits of issue 7.
 *
 * @example
 * ```ts
 * ratio >= LIMITS.throughputRatio; // the same-token and pool target
 * ```
 */
export const LIMITS = {
  throughputRatio: 0.85,
  freshCpuRatio: 1.15,
  hitMicros: 5,
  missVsRaw: 0.8,
  rssDeltaMb: 10,
} as const;

/** One micro case, summarised. */
export interface MicroRow {
  readonly alg: BenchAlgorithm;
  readonly name: string;
  readonly microsPerOp: Summary;
  readonly opsPerSecond: number;
  /**
   * Throughput relative to the raw `node:crypto` signature check of the same algorithm: the ratio of the
   * two samples taken in the same round, summarised over rounds.
   */
  readonly vsRaw: Summary;
  readonly failures: number;
}

/** One HTTP case (framework, algorithm, variant, token mode), summarised over rounds. */
export interface HttpRow {
  readonly framework: Framework;
  readonly alg: BenchAlgorithm;
  readonly variant: string;
  readonly mode: TokenMode;
  readonly requestsPerSecond: Summary;
  /** req/s ÷ the same framework without authentication in the same round. */
  readonly ratioVsNone: Summary;
  readonly cpuMicrosPerRequest: Summary;
  /** CPU per request minus that of the same framework without authentication, same round. */
  readonly addedCpuMicros: Summary;
  readonly serverUtilization: Summary;
  readonly problems: readonly string[];
}

/** RSS after load of one variant, summarised over rounds. */
export interface MemoryRow {
  readonly framework: Framework;
  readonly alg: BenchAlgorithm;
  readonly variant: string;
  readonly rssAfterLoadMb: Summary;
  readonly deltaVsNoneMb: Summary;
  /** RSS after the same-token and pool windows only, before fresh tokens fill any verified-token cache. */
  readonly rssAfterPoolMb: Summary;
  readonly poolDeltaVsNoneMb: Summary;
  /**
   * The RSS difference to the server without auth after load, split by where it sits (MB, paired per
   * round): V8's new space, old space and the rest of its heap, ArrayBuffers, and the native remainder.
   */
  readonly deltaPartsMb: MemoryDeltaParts;
}

/** A target of the issue with its measured figure. */
export interface TargetResult {
  readonly target: string;
  readonly subject: string;
  readonly figure: Summary;
  readonly unit: string;
  readonly limit: string;
  /** Undefined when the figure could not be measured validly. */
  readonly pass: boolean | undefined;
  readonly note?: string;
}

/** Everything derived from one run. */
export interface Analysis {
  readonly micro: readonly MicroRow[];
  readonly http: readonly HttpRow[];
  readonly memory: readonly MemoryRow[];
  /** A DPoP request next to a Bearer one (micro, paired per round). */
  readonly dpop: readonly BoundRow[];
  /** A certificate-bound request (RFC 8705) next to a Bearer one (micro, paired per round). */
  readonly certificateBound: readonly BoundRow[];
  /** An opaque token by introspection, cold and cached, next to a JWT (micro, paired per round). */
  readonly introspection: readonly IntrospectionRow[];
  readonly targets: readonly TargetResult[];
  readonly invalid: readonly string[];
  /** Valid but questionable figures, e.g. a server that was not saturated (the load generator limited it). */
  readonly warnings: readonly string[];
}

/**
 * Below this server CPU utilisation the server was not the limit (the load generator was, or other processes
 * held its core), so its req/s is a lower bound.
 *
 * @example
 * ```ts
 * row.serverUtilization.median < SATURATION; // a warning, not an invalid case
 * ```
 */
export const SATURATION = 0.85;

const MB = 2 ** 20;
const EMPTY = summarize([]);

function analyseMicro(results: readonly MicroResult[]): MicroRow[] {
  return results.flatMap(({ alg, cases }) => {
    const raw = cases.find((c) => c.name === MICRO_CASES.raw);
    return cases.map((c) => ({
      alg,
      name: c.name,
      microsPerOp: summarize(c.samplesNs.map((ns) => ns / 1000)),
      opsPerSecond: c.opsPerSecond,
      vsRaw: summarize(raw ? c.samplesNs.map((ns, round) => (raw.samplesNs[round] ?? Number.NaN) / ns) : []),
      failures: c.failures,
    }));
  });
}

function find(
  instances: readonly InstanceResult[],
  round: number,
  framework: string,
  alg: string,
  variant: string,
) {
  return instances.find(
    (i) =>
      i.round === round && i.framework === framework && i.alg === alg && i.variant === variant && !i.failure,
  );
}

function isValid(instance: InstanceResult | undefined, mode: TokenMode): boolean {
  const result = instance?.modes.find((m) => m.mode === mode);
  return result !== undefined && result.problems.length === 0;
}

function analyseHttp(instances: readonly InstanceResult[]): { rows: HttpRow[]; memory: MemoryRow[] } {
  const rows: HttpRow[] = [];
  const memory: MemoryRow[] = [];
  const rounds = [...new Set(instances.map((i) => i.round))];
  for (const framework of FRAMEWORKS) {
    for (const alg of ALGORITHMS) {
      for (const variant of VARIANTS[framework]) {
        const mine = instances.filter(
          (i) => i.framework === framework && i.alg === alg && i.variant === variant,
        );
        if (mine.length === 0) continue;
        for (const mode of ['same', 'pool', 'fresh'] as const) {
          const rps: number[] = [];
          const ratios: number[] = [];
          const cpu: number[] = [];
          const added: number[] = [];
          const utilization: number[] = [];
          const problems: string[] = [];
          for (const round of rounds) {
            const instance = find(instances, round, framework, alg, variant);
            const failed = mine.find((i) => i.round === round && i.failure);
            if (failed) problems.push(`round ${round + 1}: ${failed.failure}`);
            const result = instance?.modes.find((m) => m.mode === mode);
            if (!result) continue;
            if (result.problems.length > 0) {
              problems.push(`round ${round + 1}: ${result.problems.join(', ')}`);
              continue;
            }
            rps.push(result.requestsPerSecond);
            cpu.push(result.cpuMicrosPerRequest);
            utilization.push(result.serverUtilization);
            const none = find(instances, round, framework, alg, 'none');
            const base = none?.modes.find((m) => m.mode === mode);
            if (base && isValid(none, mode)) {
              ratios.push(result.requestsPerSecond / base.requestsPerSecond);
              added.push(result.cpuMicrosPerRequest - base.cpuMicrosPerRequest);
            }
          }
          rows.push({
            framework,
            alg,
            variant,
            mode,
            requestsPerSecond: summarize(rps),
            ratioVsNone: summarize(ratios),
            cpuMicrosPerRequest: summarize(cpu),
            addedCpuMicros: summarize(added),
            serverUtilization: summarize(utilization),
            problems: [...new Set(problems)],
          });
        }
        const rss: number[] = [];
        const delta: number[] = [];
        const poolRss: number[] = [];
        const poolDelta: number[] = [];
        const pairs: [InstanceResult, InstanceResult][] = [];
        const afterPool = (instance: InstanceResult | undefined) =>
          instance?.modes.find((m) => m.mode === 'pool')?.rssAfter;
        for (const round of rounds) {
          const instance = find(instances, round, framework, alg, variant);
          const none = find(instances, round, framework, alg, 'none');
          if (!instance) continue;
          rss.push(instance.rssAfterLoad / MB);
          if (none) delta.push((instance.rssAfterLoad - none.rssAfterLoad) / MB);
          if (none) pairs.push([instance, none]);
          const [mine, base] = [afterPool(instance), afterPool(none)];
          if (mine !== undefined) poolRss.push(mine / MB);
          if (mine !== undefined && base !== undefined) poolDelta.push((mine - base) / MB);
        }
        memory.push({
          framework,
          alg,
          variant,
          rssAfterLoadMb: summarize(rss),
          deltaVsNoneMb: summarize(delta),
          rssAfterPoolMb: summarize(poolRss),
          poolDeltaVsNoneMb: summarize(poolDelta),
          deltaPartsMb: memoryDeltaParts(pairs),
        });
      }
    }
  }
  return { rows, memory };
}

function verdict(figure: Summary, ok: (value: number) => boolean): boolean | undefined {
  return figure.n === 0 ? undefined : ok(figure.median);
}

function freshCpuRatios(instances: readonly InstanceResult[], framework: string, alg: string): number[] {
  const ratios: number[] = [];
  for (const round of new Set(instances.map((i) => i.round))) {
    const cpu = (variant: string) => {
      const instance = find(instances, round, framework, alg, variant);
      return isValid(instance, 'fresh')
        ? instance?.modes.find((m) => m.mode === 'fresh')?.cpuMicrosPerRequest
        : undefined;
    };
    const [none, nevertrust, reference] = [cpu('none'), cpu('nevertrust'), cpu('reference')];
    if (none === undefined || nevertrust === undefined || reference === undefined) continue;
    ratios.push((nevertrust - none) / (reference - none));
  }
  return ratios;
}

function targets(
  micro: readonly MicroRow[],
  http: readonly HttpRow[],
  memory: readonly MemoryRow[],
  instances: readonly InstanceResult[],
): TargetResult[] {
  const list: TargetResult[] = [];
  const row = (framework: string, alg: string, variant: string, mode: TokenMode) =>
    http.find((r) => r.framework === framework && r.alg === alg && r.variant === variant && r.mode === mode);
  const measuredFrameworks = FRAMEWORKS.filter((f) => http.some((r) => r.framework === f));
  for (const framework of measuredFrameworks) {
    for (const alg of ALGORITHMS) {
      if (!http.some((r) => r.framework === framework && r.alg === alg)) continue;
      for (const mode of ['same', 'pool'] as const) {
        const figure = row(framework, alg, 'nevertrust', mode)?.ratioVsNone ?? EMPTY;
        list.push({
          target: 'req/s with nevertrust ÷ without auth',
          subject: `${framework} ${alg}, ${mode === 'same' ? 'same token' : '1000-token pool'}`,
          figure,
          unit: '×',
          limit: `≥ ${LIMITS.throughputRatio}`,
          pass: verdict(figure, (v) => v >= LIMITS.throughputRatio),
        });
      }
      const cpu = summarize(freshCpuRatios(instances, framework, alg));
      list.push({
        target: 'fresh token: CPU/request added by nevertrust ÷ added by the reference verifier',
        subject: `${framework} ${alg}`,
        figure: cpu,
        unit: '×',
        limit: `≤ ${LIMITS.freshCpuRatio}`,
        pass: verdict(cpu, (v) => v <= LIMITS.freshCpuRatio),
      });
      const rss = memory.find(
        (m) => m.framework === framework && m.alg === alg && m.variant === 'nevertrust',
      );
      const delta = rss?.deltaVsNoneMb ?? EMPTY;
      list.push({
        target: 'RSS after load, nevertrust − without auth',
        subject: `${framework} ${alg}`,
        figure: delta,
        unit: 'MB',
        limit: `≤ ${LIMITS.rssDeltaMb}`,
        pass: verdict(delta, (v) => v <= LIMITS.rssDeltaMb),
      });
    }
  }
  for (const alg of ALGORITHMS) {
    const hit = micro.find((r) => r.alg === alg && r.name === MICRO_CASES.hit);
    const miss = micro.find((r) => r.alg === alg && r.name === MICRO_CASES.miss);
    if (hit) {
      list.push({
        target: 'micro: evaluate on a cache hit',
        subject: alg,
        figure: hit.microsPerOp,
        unit: 'µs',
        limit: `≤ ${LIMITS.hitMicros}`,
        pass: hit.failures > 0 ? undefined : verdict(hit.microsPerOp, (v) => v <= LIMITS.hitMicros),
      });
    }
    if (miss) {
      const figure = miss.vsRaw;
      list.push({
        target: 'micro: evaluate on a miss ÷ raw node:crypto verify (throughput)',
        subject: alg,
        figure,
        unit: '×',
        limit: `≥ ${LIMITS.missVsRaw}`,
        pass: miss.failures > 0 ? undefined : verdict(figure, (v) => v >= LIMITS.missVsRaw),
      });
    }
  }
  return list;
}

/**
 * Analyses one run.
 *
 * @example
 * ```ts
 * const analysis = analyse(microResults, httpInstances);
 * ```
 */
export function analyse(micro: readonly MicroResult[], instances: readonly InstanceResult[]): Analysis {
  const microRows = analyseMicro(micro);
  const { rows, memory } = analyseHttp(instances);
  const invalid = [
    ...microRows
      .filter((r) => r.failures > 0)
      .map((r) => `micro ${r.alg} ${r.name}: ${r.failures} failed calls`),
    ...rows
      .filter((r) => r.problems.length > 0)
      .map((r) => `http ${r.framework} ${r.alg} ${r.variant} ${r.mode}: ${r.problems.join('; ')}`),
  ];
  const unsaturated = rows.filter(
    (r) => r.serverUtilization.n > 0 && r.serverUtilization.median < SATURATION,
  );
  const warnings = [...new Set(unsaturated.map((r) => `${r.framework} ${r.alg} ${r.variant}`))].map(
    (name) => {
      const modes = unsaturated
        .filter((r) => `${r.framework} ${r.alg} ${r.variant}` === name)
        .map((r) => `${r.mode} ${r.serverUtilization.median.toFixed(2)}`);
      return (
        `http ${name}: server CPU utilisation ${modes.join(', ')} — the server did not use its whole core` +
        ' (other processes on the core, or the load generator, limited it): its req/s is a lower bound;' +
        ' CPU per request stays valid'
      );
    },
  );
  return {
    micro: microRows,
    http: rows,
    memory,
    dpop: analyseBound(micro, MICRO_CASES.dpop),
    certificateBound: analyseBound(micro, MICRO_CASES.certificateBound),
    introspection: analyseIntrospection(micro),
    warnings,
    targets: targets(microRows, rows, memory, instances),
    invalid,
  };
}
