/**
 * How long and how often each part of the benchmark runs. `full` is what targets are judged on; `quick`
 * finishes in under two minutes for development; `smoke` only proves the harness works (seconds).
 */

import type { PackageSource } from './child.js';

/**
 * The JWS algorithms every case is measured with.
 *
 * @example
 * ```ts
 * for (const alg of ALGORITHMS) generateTestKey(alg);
 * ```
 */
export const ALGORITHMS = ['RS256', 'ES256'] as const;
/** One of {@link ALGORITHMS}. */
export type BenchAlgorithm = (typeof ALGORITHMS)[number];

/** Durations and sizes of one benchmark run. */
export interface Profile {
  readonly name: 'full' | 'quick' | 'smoke';
  readonly micro: {
    /** Samples per case, interleaved across cases. */
    readonly samples: number;
    /** Upper bound of one sample, in milliseconds. */
    readonly sampleMs: number;
    /** Warm-up per case before the first sample, in milliseconds. */
    readonly warmupMs: number;
  };
  readonly http: {
    /** Rounds; every case runs once per round, in a different order each round. */
    readonly rounds: number;
    /** Measurement window of one case, in milliseconds. */
    readonly windowMs: number;
    /** Warm-up before measuring, per token mode that a cache can help (same, pool), in milliseconds. */
    readonly warmupMs: number;
    readonly connections: number;
    /** The algorithms the HTTP cases run with (micro cases always run with both). */
    readonly algorithms: readonly BenchAlgorithm[];
    /** Restrict the cases (smoke only); undefined runs every framework, variant and algorithm. */
    readonly only?: {
      readonly framework: string;
      readonly variants: readonly string[];
      readonly alg: BenchAlgorithm;
    };
  };
  /** Distinct never-repeated tokens per algorithm, shared by the micro "miss" case and the fresh-token mode. */
  readonly freshTokens: number;
  /** Size of the rotated token pool. */
  readonly poolTokens: number;
  /** Compiled packages (`dist`, what users run) or TypeScript sources (smoke only: no build needed). */
  readonly packages: PackageSource;
}

/**
 * The profiles. The full run takes about 15–20 minutes on a 2-core machine; quick stays under two minutes.
 *
 * @example
 * ```ts
 * const profile = PROFILES[process.argv.includes('--quick') ? 'quick' : 'full'];
 * ```
 */
export const PROFILES: Readonly<Record<Profile['name'], Profile>> = {
  full: {
    name: 'full',
    micro: { samples: 15, sampleMs: 60, warmupMs: 300 },
    http: { rounds: 3, windowMs: 3000, warmupMs: 500, connections: 50, algorithms: ALGORITHMS },
    freshTokens: 24_000,
    poolTokens: 1000,
    packages: 'dist',
  },
  quick: {
    name: 'quick',
    // Long enough a warm-up for the JIT to settle; HTTP for RS256 only, to stay under two minutes.
    micro: { samples: 5, sampleMs: 60, warmupMs: 250 },
    http: { rounds: 1, windowMs: 500, warmupMs: 150, connections: 50, algorithms: ['RS256'] },
    freshTokens: 4000,
    poolTokens: 1000,
    packages: 'dist',
  },
  smoke: {
    name: 'smoke',
    micro: { samples: 2, sampleMs: 5, warmupMs: 5 },
    http: {
      rounds: 1,
      windowMs: 250,
      warmupMs: 100,
      connections: 10,
      algorithms: ['ES256'],
      only: { framework: 'express', variants: ['nevertrust'], alg: 'ES256' },
    },
    freshTokens: 400,
    poolTokens: 100,
    packages: 'sources',
  },
};
