/**
 * `npm run bench [-- --quick] [-- --write-docs] [-- --only=…] [-- --cpu-prof] [-- --render] [-- --footprint]`: micro
 * benchmarks, then the HTTP benchmark, then the report. The full run writes `bench/results/latest.json` and
 * `docs/benchmarks.md`; `--quick` writes `bench/results/quick.json` and `quick.md` only, unless
 * `--write-docs` is given too; `--render` rebuilds the report from the stored figures.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertBuilt } from './build-check.js';
import { BENCH_DIR, detectPinning } from './child.js';
import { dpopLines } from './dpop-report.js';
import { createFixtures } from './fixtures.js';
import { footprintMarkdown, runFootprint } from './footprint.js';
import { type InstanceResult, runHttp } from './http.js';
import { renderMarkdown } from './markdown.js';
import type { MicroResult } from './micro.js';
import { runMicroBenchmarks } from './micro-run.js';
import { ALGORITHMS, type BenchAlgorithm, PROFILES, type Profile } from './profiles.js';
import { type Analysis, analyse } from './report.js';
import { describeRun, loadAverage, type RunInfo } from './run-info.js';

/** Everything one run produced. */
export interface BenchmarkReport {
  readonly info: RunInfo;
  readonly micro: readonly MicroResult[];
  readonly http: readonly InstanceResult[];
  readonly analysis: Analysis;
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
    log('HTTP benchmarks…');
    const http = await runHttp(fixtures, profile, pinning, log, cpuProfileDir);
    const info = describeRun(profile, startedAt, loadAtStart, pinning.note);
    return { info, micro, http, analysis: analyse(micro, http) };
  } finally {
    await fixtures.close();
  }
}

/** `--only=express/RS256/none,nevertrust`: restricts the HTTP cases, e.g. to profile one of them. */
function withOnly(profile: Profile, only: string | undefined): Profile {
  if (!only) return profile;
  // Variant names may hold a slash themselves (`@fastify/jwt`): only the first two separate.
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--footprint')) {
    const rows = runFootprint((line) => console.log(line));
    console.log(`\n${footprintMarkdown(rows)}\n\nraw figures: bench/results/footprint.json`);
    return;
  }
  const base = PROFILES[args.includes('--smoke') ? 'smoke' : args.includes('--quick') ? 'quick' : 'full'];
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
  const markdown = renderMarkdown(report.info, report.analysis, findings, footprint);
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
    for (const line of dpopLines(report.analysis.dpop)) console.log(line);
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
