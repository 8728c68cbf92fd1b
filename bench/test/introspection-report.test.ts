/** The introspection-to-JWT figures: paired per round, and only from cases without a failed call. */
import { describe, expect, it } from 'vitest';
import { analyseIntrospection, introspectionSection } from '../src/introspection-report.js';
import { MICRO_CASES, toCaseResult } from '../src/micro.js';

const samples = (cpuNs: number[], failures = 0, wallFactor = 1) =>
  cpuNs.map((ns) => ({ cpuNs: ns, wallNs: ns * wallFactor, operations: 100, failures }));

const cases = (coldFailures = 0) => [
  toCaseResult(MICRO_CASES.hit, samples([2000, 4000, 3000])),
  toCaseResult(MICRO_CASES.miss, samples([30_000, 60_000, 40_000])),
  toCaseResult(MICRO_CASES.introspectionCold, samples([150_000, 150_000, 240_000], coldFailures, 2)),
  toCaseResult(MICRO_CASES.introspectionCached, samples([3000, 4000, 6000])),
];

describe('analyseIntrospection', () => {
  it('divides each introspection sample by the JWT sample of the same round, then takes the median', () => {
    const [row] = analyseIntrospection([{ alg: 'RS256', cases: cases() }]);
    // Cold ÷ miss per round: 5×, 2.5×, 6× → median 5 (not 150 / 40 = 3.75 from the medians).
    expect(row?.coldRatio).toEqual({ median: 5, min: 2.5, max: 6, n: 3 });
    expect(row?.coldWallRatio.median).toBe(10);
    expect(row?.coldMicros.median).toBe(150);
    expect(row?.coldWallMicros.median).toBe(300);
    expect(row?.jwtMissMicros.median).toBe(40);
    // Cached ÷ hit per round: 1.5×, 1×, 2×.
    expect(row?.cachedRatio).toEqual({ median: 1.5, min: 1, max: 2, n: 3 });
    expect(introspectionSection([row as NonNullable<typeof row>]).join('\n')).toContain(
      '| RS256 | 150.0 (150.0–240.0) | 300.0 (300.0–480.0) | 40.0 (30.0–60.0) | 5.0 (2.5–6.0) |',
    );
  });

  it('reports nothing for a run without the cases, or with a failed call in one of them', () => {
    expect(analyseIntrospection([{ alg: 'ES256', cases: cases().slice(0, 2) }])).toEqual([]);
    expect(analyseIntrospection([{ alg: 'ES256', cases: cases(1) }])).toEqual([]);
    expect(introspectionSection([])).toEqual([]);
  });
});
