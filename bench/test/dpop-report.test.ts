/** The DPoP-to-Bearer figures: paired per round, and only from cases without a failed call. */
import { describe, expect, it } from 'vitest';
import { analyseDpop } from '../src/dpop-report.js';
import { MICRO_CASES, toCaseResult } from '../src/micro.js';

const samples = (cpuNs: number[], failures = 0) =>
  cpuNs.map((ns) => ({ cpuNs: ns, wallNs: ns, operations: 100, failures }));

describe('analyseDpop', () => {
  it('divides the DPoP sample by the Bearer sample of the same round, then takes the median', () => {
    const [row] = analyseDpop([
      {
        alg: 'ES256',
        cases: [
          toCaseResult(MICRO_CASES.hit, samples([2000, 4000, 3000])),
          toCaseResult(MICRO_CASES.dpop, samples([100_000, 100_000, 150_000])),
        ],
      },
    ]);
    // Rounds: 50×, 25×, 50× — the median of the pairs, not the ratio of the medians (100 / 3 = 33.3×).
    expect(row?.ratio).toEqual({ median: 50, min: 25, max: 50, n: 3 });
    expect(row?.addedMicros.median).toBe(98);
    expect(row?.dpopMicros.median).toBe(100);
    expect(row?.bearerMicros.median).toBe(3);
  });

  it('reports nothing for a run without the DPoP case, or with a failed call in either case', () => {
    const hit = toCaseResult(MICRO_CASES.hit, samples([3000]));
    expect(analyseDpop([{ alg: 'RS256', cases: [hit] }])).toEqual([]);
    const failed = toCaseResult(MICRO_CASES.dpop, samples([100_000], 1));
    expect(analyseDpop([{ alg: 'RS256', cases: [hit, failed] }])).toEqual([]);
  });
});
