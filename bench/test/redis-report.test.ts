/** The Redis-to-in-process figures: paired per round, commands per call, and only from cases without a failed call. */
import { describe, expect, it } from 'vitest';
import { toCaseResult } from '../src/micro.js';
import { REDIS_CASES } from '../src/redis-case.js';
import { analyseRedis, redisMarkdown } from '../src/redis-report.js';
import type { RedisBenchResult, RedisCaseResult } from '../src/redis-run.js';

function result(name: string, cpuNs: number[], commands: Record<string, number> = {}, failures = 0) {
  const samples = cpuNs.map((ns) => ({ cpuNs: ns, wallNs: ns * 2, operations: 100, failures }));
  return {
    ...toCaseResult(name, samples),
    sentPerCall: cpuNs.map(() => (Object.keys(commands).length > 0 ? 1 : 0)),
    commandsPerCall: cpuNs.map(
      () => Object.values(commands).reduce((sum, n) => sum + n, 0) / 100 / cpuNs.length,
    ),
    commands,
  } satisfies RedisCaseResult;
}

const run = (cases: RedisCaseResult[]): RedisBenchResult => ({
  startedAt: '2026-12-03T00:00:00.000Z',
  redisVersion: '7.0.15',
  loadAverage: '0.10 → 0.20',
  cases,
});

describe('analyseRedis', () => {
  it('pairs each Redis case with its in-process twin, round by round', () => {
    const rows = analyseRedis(
      run([
        result(REDIS_CASES.hitLocal, [2000, 3000, 2000]),
        result(REDIS_CASES.hitRedis, [8000, 6000, 8000]),
        result(REDIS_CASES.limitLocal, [5000, 5000, 5000]),
        result(REDIS_CASES.limitRedis, [100_000, 150_000, 120_000], { evalsha: 300, hset: 300 }),
      ]),
    );
    expect(rows.map((row) => row.subject)).toEqual(['no rate limit', 'per-principal rate limit']);
    const [hit, limit] = rows;
    // Rounds: 4×, 2×, 4× — the median of the pairs.
    expect(hit?.cpuRatio).toEqual({ median: 4, min: 2, max: 4, n: 3 });
    expect(hit?.commands).toBe('none');
    expect(limit?.wallRatio.median).toBe(24);
    expect(limit?.sentPerCall.median).toBe(1);
    expect(limit?.commands).toBe('evalsha 1.000, hset 1.000');
  });

  it('leaves out a pair with a failed call, and says so in the report', () => {
    const cases = [
      result(REDIS_CASES.hitLocal, [2000]),
      result(REDIS_CASES.hitRedis, [8000], {}, 1),
      result(REDIS_CASES.ping, [40_000], { ping: 100 }),
    ];
    expect(analyseRedis(run(cases))).toEqual([]);
    const markdown = redisMarkdown(run(cases));
    expect(markdown).toContain(`${REDIS_CASES.hitRedis} ⚠ (1 refusals)`);
    expect(markdown).toContain('bare ioredis `PING` round trip on the same machine: CPU 40.00 µs');
  });
});
