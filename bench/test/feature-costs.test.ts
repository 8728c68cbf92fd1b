/**
 * The price table: every cell comes from the figures it is given (micro cases, HTTP rows, the stored Redis
 * and footprint figures), with the section holding the detail; what was not measured shows as a dash.
 */
import { describe, expect, it } from 'vitest';
import { featureCostSection } from '../src/feature-costs.js';
import type { FootprintRow } from '../src/footprint.js';
import { SECTIONS } from '../src/markdown-cells.js';
import { MICRO_CASES, type MicroResult, toCaseResult } from '../src/micro.js';
import { REDIS_CASES } from '../src/redis-case.js';
import type { RedisBenchResult } from '../src/redis-run.js';
import { analyse, type HttpRow } from '../src/report.js';
import { summarize } from '../src/stats.js';

const samples = (cpuNs: number[]) =>
  cpuNs.map((ns) => ({ cpuNs: ns, wallNs: ns * 3, operations: 100, failures: 0 }));
const micro = (name: string, cpuNs: number[]) => toCaseResult(name, samples(cpuNs));

const MICRO: MicroResult[] = [
  {
    alg: 'RS256',
    cases: [
      micro(MICRO_CASES.hit, [2000, 2000]),
      micro(MICRO_CASES.miss, [50_000, 40_000]),
      micro(MICRO_CASES.dpop, [40_000, 60_000]),
      micro(MICRO_CASES.certificateBound, [2400, 2600]),
      micro(MICRO_CASES.introspectionCold, [200_000, 200_000]),
      micro(MICRO_CASES.introspectionCached, [1000, 1200]),
    ],
  },
];

const REDIS: RedisBenchResult = {
  startedAt: '2026-12-03T00:00:00.000Z',
  redisVersion: '7.0.15',
  loadAverage: '0.10 → 0.20',
  cases: [
    [REDIS_CASES.hitLocal, [2000, 2000]],
    [REDIS_CASES.hitRedis, [6000, 8000]],
    [REDIS_CASES.limitLocal, [4000, 4000]],
    [REDIS_CASES.limitRedis, [100_000, 120_000]],
  ].map(([name, cpuNs]) => ({
    ...micro(name as string, cpuNs as number[]),
    sentPerCall: [1, 1],
    commandsPerCall: [1, 1],
    commands: {},
  })),
};

const MB = 1_048_576;
const footprint = (
  name: string,
  installed: number,
  modules: number,
  importMs: number,
  rss: number,
): FootprintRow => ({
  name,
  installedBytes: installed * MB,
  modules,
  importMs,
  rssBytes: rss * MB,
  modulesByPackage: {},
});
const FOOTPRINT = [
  footprint('express (no auth)', 3, 0, 0, 70),
  footprint('nevertrust (express)', 11.5, 99, 104.6, 82.25),
];

const NEST_ROW: HttpRow = {
  framework: 'nest-fastify',
  alg: 'ES256',
  variant: 'nevertrust',
  mode: 'same',
  requestsPerSecond: summarize([9000, 9500]),
  ratioVsNone: summarize([0.8, 0.9]),
  cpuMicrosPerRequest: summarize([50, 60]),
  addedCpuMicros: summarize([10, 12]),
  serverUtilization: summarize([1, 1]),
  problems: [],
};

function rowsOf(markdown: string[], feature: string): string[] {
  return markdown.filter((line) => line.startsWith(`| ${feature}`));
}

describe('featureCostSection', () => {
  const analysis = analyse(MICRO, []);
  const section = featureCostSection(
    { ...analysis, http: [NEST_ROW] },
    { redis: REDIS, footprint: FOOTPRINT },
  )
    .join('\n')
    .split('\n');

  it('is titled as the section the report places after the targets', () => {
    expect(section[0]).toBe(`## ${SECTIONS.prices}`);
  });

  it('prices the micro features from the ratios paired per round, with a link to their section', () => {
    // DPoP: 20×, 30× per round; certificate-bound: 1.2×, 1.3×.
    expect(rowsOf(section, 'DPoP')).toEqual([
      expect.stringContaining(
        '| RS256 token | 25.0 (20.0–30.0) × | [DPoP next to Bearer (micro)](#dpop-next-to-bearer-micro) |',
      ),
    ]);
    expect(rowsOf(section, 'Certificate-bound')).toEqual([
      expect.stringContaining(
        '| RS256 token | 1.25 (1.20–1.30) × | [Certificate-bound next to Bearer (micro)](#certificate-bound-next-to-bearer-micro) |',
      ),
    ]);
    const introspection = rowsOf(section, 'Opaque token');
    // Cold: 4×, 5× the miss; cached: 0.5×, 0.6× the hit.
    expect(introspection[0]).toContain('| RS256 token | 4.50 (4.00–5.00) × |');
    expect(introspection[1]).toContain('| RS256 token | 0.55 (0.50–0.60) × |');
  });

  it('prices the Redis stores in CPU and wall time, from the stored Redis figures', () => {
    const revocation = rowsOf(section, 'Redis revocation store');
    expect(revocation.map((row) => row.split(' | ')[3])).toEqual([
      '3.50 (3.00–4.00) ×',
      '3.50 (3.00–4.00) ×',
    ]);
    expect(revocation[0]).toContain('(measured 2026-12-03T00:00:00.000Z)');
    expect(rowsOf(section, 'Redis rate-limit')[0]).toContain('| 27.5 (25.0–30.0) × |');
  });

  it('prices the adapters by req/s next to their bare framework, and the footprint from its figures', () => {
    expect(rowsOf(section, '@nevertrust/nestjs (fastify)')).toEqual([
      expect.stringContaining(
        '| nest-fastify ES256 | 0.85 (0.80–0.90) × | [HTTP throughput](#http-throughput) |',
      ),
    ]);
    const footprintCells = rowsOf(section, 'Footprint').map((row) => row.split(' | ')[3]);
    expect(footprintCells).toEqual(['12.3 MB', '105 ms', '99', '8.5 MB']);
  });

  it('shows a dash for what the runs did not measure', () => {
    const bare = featureCostSection(analyse([], []), {}).join('\n');
    const cells = bare
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Feature') && !line.startsWith('| ---'))
      .map((row) => row.split(' | ')[3]);
    expect(cells.length).toBeGreaterThan(0);
    expect(new Set(cells)).toEqual(new Set(['–']));
  });
});
