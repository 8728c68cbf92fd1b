/**
 * The HTTP benchmark: for every framework, algorithm and variant, one fresh server process per round runs
 * a warm-up and then the three token modes back to back (same token, rotated pool, fresh tokens), while
 * the server reports the CPU time it spent in each window and its RSS after all the load. Rounds shuffle
 * the order of frameworks and variants so drift on the machine spreads over every case.
 */
import { join } from 'node:path';
import { type AppSettings, FRAMEWORKS, type Framework, VARIANTS } from './apps/types.js';
import { type Child, type Pinning, startChild } from './child.js';
import type { Fixtures } from './fixtures.js';
import type { LoadRequest, LoadResult, TokenMode } from './load-child.js';
import type { BenchAlgorithm, Profile } from './profiles.js';
import { shuffled } from './stats.js';

/**
 * The token modes, in the order each server runs them.
 *
 * @example
 * ```ts
 * for (const mode of TOKEN_MODES) console.log(mode); // same, pool, fresh
 * ```
 */
export const TOKEN_MODES: readonly TokenMode[] = ['same', 'pool', 'fresh'];

/** One token mode measured on one server. */
export interface ModeResult {
  readonly mode: TokenMode;
  readonly load: LoadResult;
  readonly requestsPerSecond: number;
  /** Server CPU time (user + system, all threads) during the window, per response, in microseconds. */
  readonly cpuMicrosPerRequest: number;
  /** Server CPU time over wall time during the window: near 1 when the server was the bottleneck. */
  readonly serverUtilization: number;
  /** Why this measurement cannot be used (non-2xx, errors, reused tokens), empty when valid. */
  readonly problems: readonly string[];
  /** Server RSS right after this window, in bytes. */
  readonly rssAfter: number;
}

/** One server process: one framework, variant and algorithm in one round. */
export interface InstanceResult {
  readonly round: number;
  readonly framework: Framework;
  readonly variant: string;
  readonly alg: BenchAlgorithm;
  readonly modes: readonly ModeResult[];
  /** RSS once started and warmed, before the measured load, in bytes. */
  readonly rssBeforeLoad: number;
  /** RSS after all three modes, in bytes. */
  readonly rssAfterLoad: number;
  readonly heapUsedAfterLoad: number;
  /** Where the memory sat after all three modes (absent in results recorded before it was measured). */
  readonly memoryPartsAfterLoad?: MemoryParts;
  /** Set when the server could not be started or measured. */
  readonly failure?: string;
}

/**
 * Where a server's memory sits, in bytes: V8's young generation (new space) and old generation as committed,
 * the rest of its heap (code, large objects, maps), and ArrayBuffers (Buffers, outside the V8 heap). What RSS
 * holds beyond these is the native side (Node, OpenSSL, the allocator's arenas).
 */
export interface MemoryParts {
  readonly newSpace: number;
  readonly oldSpace: number;
  readonly otherHeap: number;
  readonly arrayBuffers: number;
}

interface Usage {
  readonly cpuMicros: number;
  readonly wallMs: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly memoryParts: MemoryParts;
}

/**
 * Every server process the run will start, per round.
 *
 * @example
 * ```ts
 * httpPlan(PROFILES.smoke); // [{ framework: 'express', variant: 'nevertrust', alg: 'ES256' }]
 * ```
 */
export function httpPlan(profile: Profile): { framework: Framework; variant: string; alg: BenchAlgorithm }[] {
  const only = profile.http.only;
  const plan: { framework: Framework; variant: string; alg: BenchAlgorithm }[] = [];
  for (const framework of FRAMEWORKS) {
    if (only && only.framework !== framework) continue;
    for (const alg of profile.http.algorithms) {
      if (only && only.alg !== alg) continue;
      for (const variant of VARIANTS[framework]) {
        if (only && !only.variants.includes(variant)) continue;
        plan.push({ framework, variant, alg });
      }
    }
  }
  return plan;
}

function problemsOf(mode: TokenMode, load: LoadResult): string[] {
  const problems: string[] = [];
  if (load.responses === 0) problems.push('no responses');
  if (load.non2xx > 0) problems.push(`${load.non2xx} non-2xx responses`);
  if (load.errors > 0) problems.push(`${load.errors} errors (${load.timeouts} timeouts)`);
  if (mode === 'fresh' && load.tokensUsed > load.tokensAvailable)
    problems.push('fresh tokens ran out and repeated');
  return problems;
}

async function runLoad(loader: Child, request: LoadRequest): Promise<LoadResult> {
  const { result } = await loader.request<{ result: LoadResult }>(
    { type: 'load', ...request },
    request.durationMs + 60_000,
  );
  return result;
}

async function measureInstance(
  server: Child,
  loader: Child,
  url: string,
  tokenFile: string,
  profile: Profile,
  freshTokens: number,
): Promise<{ modes: ModeResult[]; before: Usage; after: Usage }> {
  const { windowMs, warmupMs, connections } = profile.http;
  // Warm-up: JIT, key sets fetched, and every pool token seen twice (nevertrust admits a token to its cache
  // on its second use; the peers' caches on the first), so the pool mode measures the steady state a cache
  // can reach.
  const warm = await runLoad(loader, { url, tokenFile, mode: 'same', durationMs: warmupMs, connections });
  const warmPool = await runLoad(loader, {
    url,
    tokenFile,
    mode: 'pool',
    durationMs: 30_000,
    connections,
    amount: 2 * profile.poolTokens,
  });
  for (const [what, run] of [['same', warm] as const, ['pool', warmPool] as const]) {
    const problems = problemsOf(what, run);
    if (problems.length > 0) throw new Error(`warm-up (${what}) failed: ${problems.join(', ')}`);
  }
  const before = await server.request<Usage>({ type: 'read' });
  const modes: ModeResult[] = [];
  for (const mode of TOKEN_MODES) {
    await server.request({ type: 'mark' });
    const load = await runLoad(loader, {
      url,
      tokenFile,
      mode,
      durationMs: windowMs,
      connections,
      // A fresh token per request: stop before the list runs out (each connection may have one built ahead).
      ...(mode === 'fresh' ? { amount: freshTokens - 2 * connections } : {}),
    });
    const usage = await server.request<Usage>({ type: 'read' });
    const answered = Math.max(load.responses, 1);
    modes.push({
      mode,
      load,
      requestsPerSecond: load.ok2xx / (load.durationMs / 1000),
      cpuMicrosPerRequest: usage.cpuMicros / answered,
      serverUtilization: usage.cpuMicros / 1000 / load.durationMs,
      problems: problemsOf(mode, load),
      rssAfter: usage.rss,
    });
  }
  const after = await server.request<Usage>({ type: 'read' });
  return { modes, before, after };
}

/**
 * Runs every round of the HTTP benchmark.
 *
 * @example
 * ```ts
 * const instances = await runHttp(fixtures, PROFILES.quick, detectPinning(), console.log);
 * ```
 */
export async function runHttp(
  fixtures: Fixtures,
  profile: Profile,
  pinning: Pinning,
  log: (line: string) => void,
  cpuProfileDir?: string,
): Promise<InstanceResult[]> {
  const loader = startChild('load-child.ts', pinning.loadCore, profile.packages);
  const results: InstanceResult[] = [];
  const plan = httpPlan(profile);
  try {
    for (let round = 0; round < profile.http.rounds; round++) {
      // Cases of one framework and algorithm stay together (their ratios compare them) but every round
      // visits the groups, and the variants within a group, in another order.
      const groups = shuffled([...new Set(plan.map((entry) => `${entry.framework}/${entry.alg}`))], round);
      for (const group of groups) {
        const members = plan.filter((entry) => `${entry.framework}/${entry.alg}` === group);
        for (const { framework, variant, alg } of shuffled(members, round * 7 + 3)) {
          const settings: AppSettings = {
            framework,
            variant,
            alg,
            identity: fixtures.identity,
            jwk: fixtures.jwks[alg],
          };
          // --cpu-prof: V8 CPU profiles of each server process (one per thread) in a directory named after
          // its case, for finding hot spots.
          const caseName = `${framework}-${alg}-${variant}-r${round + 1}`.replace(/[^\w.-]+/g, '_');
          const profiling = cpuProfileDir
            ? ['--cpu-prof', `--cpu-prof-dir=${join(cpuProfileDir, caseName)}`]
            : [];
          const server = startChild(
            'server-child.ts',
            pinning.serverCore,
            profile.packages,
            [JSON.stringify(settings)],
            profiling,
          );
          const label = `round ${round + 1}/${profile.http.rounds} ${framework} ${alg} ${variant}`;
          try {
            const { port } = await server.request<{ port: number }>({ type: 'ready?' }, 60_000);
            const measured = await measureInstance(
              server,
              loader,
              `http://127.0.0.1:${port}`,
              fixtures.tokenFiles[alg],
              profile,
              fixtures.tokens[alg].fresh.length,
            );
            results.push({
              round,
              framework,
              variant,
              alg,
              modes: measured.modes,
              rssBeforeLoad: measured.before.rss,
              rssAfterLoad: measured.after.rss,
              heapUsedAfterLoad: measured.after.heapUsed,
              memoryPartsAfterLoad: measured.after.memoryParts,
            });
            log(
              `${label}: ${measured.modes
                .map(
                  (m) =>
                    `${m.mode} ${Math.round(m.requestsPerSecond)} req/s${m.problems.length ? ' (INVALID)' : ''}`,
                )
                .join(', ')}; RSS ${(measured.after.rss / 2 ** 20).toFixed(1)} MB`,
            );
          } catch (error) {
            const failure =
              error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
            results.push({
              round,
              framework,
              variant,
              alg,
              modes: [],
              rssBeforeLoad: 0,
              rssAfterLoad: 0,
              heapUsedAfterLoad: 0,
              failure,
            });
            log(`${label}: FAILED ${failure}`);
          } finally {
            await server.close();
          }
        }
      }
    }
  } finally {
    await loader.close();
  }
  return results;
}
