/** The bound-to-Bearer figures: paired per round, and only from cases without a failed call. */
import { describe, expect, it } from 'vitest';
import { analyseBound, boundSection } from '../src/bound-report.js';
import { MICRO_CASES, toCaseResult } from '../src/micro.js';

const samples = (cpuNs: number[], failures = 0) =>
  cpuNs.map((ns) => ({ cpuNs: ns, wallNs: ns, operations: 100, failures }));

describe('analyseBound', () => {
  it('divides the bound sample by the Bearer sample of the same round, then takes the median', () => {
    const [row] = analyseBound(
      [
        {
          alg: 'ES256',
          cases: [
            toCaseResult(MICRO_CASES.hit, samples([2000, 4000, 3000])),
            toCaseResult(MICRO_CASES.dpop, samples([100_000, 100_000, 150_000])),
          ],
        },
      ],
      MICRO_CASES.dpop,
    );
    // Rounds: 50×, 25×, 50× — the median of the pairs, not the ratio of the medians (100 / 3 = 33.3×).
    expect(row?.ratio).toEqual({ median: 50, min: 25, max: 50, n: 3 });
    expect(row?.addedMicros.median).toBe(98);
    expect(row?.boundMicros.median).toBe(100);
    expect(row?.bearerMicros.median).toBe(3);
  });

  it('prices the case it is asked for: the certificate-bound case next to the same Bearer hit', () => {
    const cases = [
      toCaseResult(MICRO_CASES.hit, samples([2000, 2000])),
      toCaseResult(MICRO_CASES.dpop, samples([100_000, 100_000])),
      toCaseResult(MICRO_CASES.certificateBound, samples([2500, 3000])),
    ];
    const [row] = analyseBound([{ alg: 'RS256', cases }], MICRO_CASES.certificateBound);
    expect(row?.ratio).toEqual({ median: 1.375, min: 1.25, max: 1.5, n: 2 });
    expect(row?.addedMicros.median).toBe(0.75);
  });

  it('reports nothing for a run without the case, or with a failed call in either case', () => {
    const hit = toCaseResult(MICRO_CASES.hit, samples([3000]));
    expect(analyseBound([{ alg: 'RS256', cases: [hit] }], MICRO_CASES.dpop)).toEqual([]);
    const failed = toCaseResult(MICRO_CASES.certificateBound, samples([100_000], 1));
    expect(analyseBound([{ alg: 'RS256', cases: [hit, failed] }], MICRO_CASES.certificateBound)).toEqual([]);
  });

  it('renders a section with one row per algorithm, and none without rows', () => {
    const cases = [
      toCaseResult(MICRO_CASES.hit, samples([2000, 2000])),
      toCaseResult(MICRO_CASES.certificateBound, samples([2500, 3000])),
    ];
    const rows = analyseBound([{ alg: 'RS256', cases }], MICRO_CASES.certificateBound);
    const section = boundSection(
      'Certificate-bound next to Bearer (micro)',
      'What.',
      'certificate-bound',
      rows,
    );
    expect(section[0]).toBe('## Certificate-bound next to Bearer (micro)');
    expect(section.join('\n')).toContain(
      '| RS256 | 2.75 (2.50–3.00) | 2.00 (2.00–2.00) | 1.38 (1.25–1.50) |',
    );
    expect(boundSection('T', 'What.', 'x', [])).toEqual([]);
  });
});
