/** The arithmetic behind the report: medians, paired ratios and target verdicts. */
import { describe, expect, it } from 'vitest';
import type { InstanceResult, ModeResult } from '../src/http.js';
import type { TokenMode } from '../src/load-child.js';
import { analyse } from '../src/report.js';
import { shuffled, summarize } from '../src/stats.js';

function mode(name: TokenMode, requestsPerSecond: number, cpu: number, problems: string[] = []): ModeResult {
  return {
    mode: name,
    rssAfter: 0,
    requestsPerSecond,
    cpuMicrosPerRequest: cpu,
    serverUtilization: 1,
    problems,
    load: {
      responses: 1000,
      ok2xx: 1000,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      durationMs: 1000,
      latencyP50Ms: 1,
      latencyP99Ms: 2,
      tokensUsed: 1000,
      tokensAvailable: 2000,
    },
  };
}

function instance(
  round: number,
  variant: string,
  rps: number,
  cpu: number,
  rssMb: number,
  problems: string[] = [],
): InstanceResult {
  return {
    round,
    framework: 'express',
    variant,
    alg: 'ES256',
    modes: [mode('same', rps, cpu), mode('pool', rps, cpu), mode('fresh', rps / 4, cpu * 4, problems)],
    rssBeforeLoad: 0,
    rssAfterLoad: rssMb * 2 ** 20,
    heapUsedAfterLoad: 0,
  };
}

describe('summarize', () => {
  it('takes the median of odd and even lists and ignores non-finite values', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(summarize([4, 1, 3, 2, Number.NaN])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(summarize([]).n).toBe(0);
  });
});

describe('shuffled', () => {
  it('permutes deterministically per round', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    expect(shuffled(items, 2).sort()).toEqual(items);
    expect(shuffled(items, 2)).toEqual(shuffled(items, 2));
    expect([0, 1, 2, 3].map((round) => shuffled(items, round).join('')).length).toBe(4);
  });
});

describe('analyse', () => {
  const instances = [
    instance(0, 'none', 1000, 100, 50),
    instance(0, 'nevertrust', 900, 120, 55),
    instance(0, 'reference', 950, 110, 52),
    instance(1, 'none', 2000, 100, 50),
    instance(1, 'nevertrust', 1600, 130, 70),
    instance(1, 'reference', 1900, 110, 52),
  ];

  it('pairs ratios within a round and reports their median', () => {
    const { http } = analyse([], instances);
    const same = http.find((r) => r.variant === 'nevertrust' && r.mode === 'same');
    expect(same?.ratioVsNone.median).toBeCloseTo(0.85, 10);
    expect([same?.ratioVsNone.min, same?.ratioVsNone.max, same?.ratioVsNone.n]).toEqual([0.8, 0.9, 2]);
    expect(same?.requestsPerSecond.median).toBe(1250);
  });

  it('judges the fresh-token CPU target against the reference verifier', () => {
    const target = analyse([], instances).targets.find((t) => t.target.startsWith('fresh token'));
    // Round 0: (480 − 400) / (440 − 400) = 2; round 1: (520 − 400) / (440 − 400) = 3.
    expect(target?.figure.median).toBe(2.5);
    expect(target?.pass).toBe(false);
  });

  it('judges throughput and memory against the limits', () => {
    const { targets } = analyse([], instances);
    const same = targets.find((t) => t.subject === 'express ES256, same token');
    expect(same?.pass).toBe(true);
    const rss = targets.find((t) => t.target.startsWith('RSS'));
    expect(rss?.figure.median).toBe(12.5);
    expect(rss?.pass).toBe(false);
  });

  it('leaves an invalid case out of every figure and lists it', () => {
    const broken = [
      ...instances.slice(0, 3),
      instance(1, 'none', 2000, 100, 50),
      instance(1, 'nevertrust', 1600, 130, 70, ['3 non-2xx responses']),
    ];
    const analysis = analyse([], broken);
    const fresh = analysis.http.find((r) => r.variant === 'nevertrust' && r.mode === 'fresh');
    expect(fresh?.requestsPerSecond.n).toBe(1);
    expect(analysis.invalid.some((line) => line.includes('3 non-2xx responses'))).toBe(true);
  });
});
