/**
 * `npm run bench [-- --quick] [-- --write-docs] [-- --only=…] [-- --cpu-prof] [-- --render] [-- --footprint] [-- --redis]`: micro
 * benchmarks, then the HTTP benchmark, then the report. The full run writes `bench/results/latest.json` and
 * `docs/benchmarks.md`; `--quick` writes `bench/results/quick.json` and `quick.md` only, unless
 * `--write-docs` is given too; `--render` rebuilds the report from the stored figures.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundLines } from './bound-report.js';
import { assertBuilt } from './build-check.js';
import { BENCH_DIR, detectPinning } from './child.js';
import { createFixtures } from './fixtures.js';
import { type FootprintRow, runFootprint } from './footprint.js';
import { footprintMarkdown } from './footprint-report.js';
import { type InstanceResult, runHttp } from './http.js';
import { introspectionLines } from './introspection-report.js';
import { renderMarkdown } from './markdown.js';
import type { MicroResult } from './micro.js';
import { runMicroBenchmarks } from './micro-run.js';
import { ALGORITHMS, type BenchAlgorithm, PROFILES, type Profile } from './profiles.js';
import { analyseRedis, redisLines, redisMarkdown } from './redis-report.js';
import { type RedisBenchResult, runRedisBenchmark } from './redis-run.js';
import { type Analysis, analyse } from './report.js';
import { describeRun, loadAverage, type RunInfo } from './run-info.js';

/** Everything one run produced. */
export interface BenchmarkReport {
  readonly info: RunInfo;
  readonly micro: readonly MicroResult[];
  readonly http: readonly InstanceResult[];
  readonly analysis: Analysis;
  /** The Redis stores next to the in-process ones (not in smoke runs, nor in runs from before the stage). */
  readonly redis?: RedisBenchResult;
}

/**
 * Runs the benchmark with a profile and returns the report (writes nothing).
 *
 * @example
 * ```ts
 * const report = await runBenchmark(PROFILES.smoke, () => {});
 * ```
 */
export async function runBenchmark(
  profile: Profile,
  log: (line: string) => void,
  cpuProfileDir?: string,
): Promise<BenchmarkReport> {
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const pinning = detectPinning();
  if (profile.packages === 'dist') assertBuilt();
  log(`nevertrust bench, profile ${profile.name}; ${pinning.note}`);
  log(`signing ${profile.freshTokens + profile.poolTokens + 1} tokens per algorithm…`);
  const fixtures = await createFixtures(profile);
  try {
    log('micro benchmarks…');
    const micro = await runMicroBenchmarks(fixtures, profile, pinning);
    const redis =
      profile.name === 'smoke' ? undefined : await runRedisBenchmark(fixtures, profile, pinning, log);
    log('HTTP benchmarks…');
    const http = await runHttp(fixtures, profile, pinning, log, cpuProfileDir);
    const info = describeRun(profile, startedAt, loadAtStart, pinning.note);
    return { info, micro, http, analysis: analyse(micro, http), ...(redis ? { redis } : {}) };
  } finally {
    await fixtures.close();
  }
}

/** `--only=express/RS256/none,nevertrust`: restricts the HTTP cases, e.g. to profile one of them. */
function withOnly(profile: Profile, only: string | undefined): Profile {
  if (!only) return profile;
  // Variants may contain a slash themselves (`@fastify/jwt`, `hono/jwk`): everything after the algorithm.
  const [framework, alg, ...rest] = only.split('/');
  const variants = rest.join('/');
  if (!framework || !ALGORITHMS.includes(alg as BenchAlgorithm) || !variants) {
    throw new Error('--only expects <framework>/<RS256|ES256>/<variant,variant,…>');
  }
  const restricted = { framework, alg: alg as BenchAlgorithm, variants: variants.split(',') };
  return { ...profile, http: { ...profile.http, only: restricted, algorithms: [restricted.alg] } };
}

function outputName(profile: Profile): string {
  // A restricted run (--only) never replaces the figures or the report of a whole run.
  if (profile.http.only) return `${profile.name}-only`;
  return profile.name === 'full' ? 'latest' : profile.name;
}

/** Writes `bench/results/redis.{json,md}`, which every later report includes. */
function storeRedis(resultsDir: string, redis: RedisBenchResult): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'redis.json'), `${JSON.stringify(redis, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'redis.md'), `${redisMarkdown(redis)}\n`);
}

/** `--redis`: only the Redis stage, with the micro settings of the chosen profile. */
async function redisOnly(profile: Profile, resultsDir: string): Promise<void> {
  assertBuilt();
  const fixtures = await createFixtures({ poolTokens: 1, freshTokens: 1 });
  try {
    const redis = await runRedisBenchmark(fixtures, profile, detectPinning(), (line) => console.log(line));
    storeRedis(resultsDir, redis);
    console.log(`\n${redisLines(analyseRedis(redis)).join('\n')}\n\nraw figures: bench/results/redis.json`);
  } finally {
    await fixtures.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--footprint')) {
    const rows = runFootprint((line) => console.log(line));
    console.log(`\n${footprintMarkdown(rows)}\n\nraw figures: bench/results/footprint.json`);
    return;
  }
  const base = PROFILES[args.includes('--smoke') ? 'smoke' : args.includes('--quick') ? 'quick' : 'full'];
  if (args.includes('--redis')) return redisOnly(base, join(BENCH_DIR, 'results'));
  const profile = withOnly(base, args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length));
  const resultsDir = join(BENCH_DIR, 'results');
  const jsonPath = join(resultsDir, `${outputName(profile)}.json`);
  let report: BenchmarkReport;
  if (args.includes('--render')) {
    // Re-renders the report of an earlier run (e.g. after editing findings.md) without measuring again.
    const stored = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchmarkReport;
    report = { ...stored, analysis: analyse(stored.micro, stored.http) };
  } else {
    const cpuProfileDir = args.includes('--cpu-prof') ? join(resultsDir, 'profiles') : undefined;
    report = await runBenchmark(profile, (line) => console.log(line), cpuProfileDir);
    if (cpuProfileDir)
      console.log(`CPU profiles of the servers: ${cpuProfileDir} (see src/profile-summary.ts)`);
  }
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nraw figures: ${jsonPath}`);
  const findings = readFileSync(join(BENCH_DIR, 'findings.md'), 'utf8');
  const footprintPath = join(resultsDir, 'footprint.md');
  const footprint = existsSync(footprintPath) ? readFileSync(footprintPath, 'utf8') : undefined;
  // Stored: the figures of the latest full run or `--redis` run. The report gives the run's own when it
  // measured the stores (a quick run), so its Redis section and price rows come from the same run.
  if (report.redis && profile.name === 'full' && !profile.http.only) storeRedis(resultsDir, report.redis);
  const storedFigures = <T>(name: string) => {
    const path = join(resultsDir, name);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
  };
  const redisResult = report.redis ?? storedFigures<RedisBenchResult>('redis.json');
  const redis = redisResult && redisMarkdown(redisResult);
  const markdown = renderMarkdown(report.info, report.analysis, findings, footprint, redis, {
    redis: redisResult,
    footprint: storedFigures<FootprintRow[]>('footprint.json'),
  });
  if ((report.info.profile === 'full' && !profile.http.only) || args.includes('--write-docs')) {
    writeFileSync(join(BENCH_DIR, '..', 'docs', 'benchmarks.md'), markdown);
    console.log('report: docs/benchmarks.md');
  } else {
    writeFileSync(join(resultsDir, `${outputName(profile)}.md`), markdown);
    console.log(
      `report: bench/results/${outputName(profile)}.md (docs/benchmarks.md untouched; add --write-docs)`,
    );
  }
  console.log('\nTargets:');
  for (const t of report.analysis.targets) {
    const state = t.pass === undefined ? 'NOT MEASURED' : t.pass ? 'pass' : 'MISS';
    console.log(
      `  ${state.padEnd(12)} ${t.target} — ${t.subject}: ${t.figure.median.toFixed(2)} ${t.unit} (limit ${t.limit})`,
    );
  }
  if (report.analysis.dpop.length > 0) {
    console.log('\nDPoP request (cached token, new proof, replay store) vs Bearer cache hit, CPU per call:');
    for (const line of boundLines(report.analysis.dpop, 'DPoP')) console.log(line);
  }
  if (report.analysis.certificateBound.length > 0) {
    console.log(
      '\nCertificate-bound request (cached token, certificate hashed and compared) vs Bearer cache hit:',
    );
    for (const line of boundLines(report.analysis.certificateBound, 'certificate-bound')) console.log(line);
  }
  if (report.analysis.introspection.length > 0) {
    console.log('\nOpaque token by introspection (local endpoint) vs JWT, per call:');
    for (const line of introspectionLines(report.analysis.introspection)) console.log(line);
  }
  if (report.redis) {
    console.log('\nRedis stores vs in-process stores, cache hit, per evaluate (Redis vs in-process):');
    for (const line of redisLines(analyseRedis(report.redis))) console.log(line);
  }
  for (const [title, lines] of [
    ['Invalid cases', report.analysis.invalid],
    ['Warnings', report.analysis.warnings],
  ] as const) {
    if (lines.length === 0) continue;
    console.log(`\n${title}:`);
    for (const line of lines) console.log(`  ${line}`);
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}
