/**
 * The benchmark measures the compiled packages and runs its own compiled children; a missing or stale `dist`
 * would measure old code, so the run refuses to start instead (`npm run bench` builds first).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './child.js';

const PACKAGES = [
  'packages/core',
  'packages/express',
  'packages/koa',
  'packages/fastify',
  'packages/fetch',
  'packages/hono',
  'test/testkit',
  'bench',
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Throws unless every measured package (and the bench) has a build newer than its newest source file.
 *
 * @example
 * ```ts
 * assertBuilt(); // Error: packages/core: dist is older than src — run `npm run build`
 * ```
 */
export function assertBuilt(): void {
  const root = join(BENCH_DIR, '..');
  const problems: string[] = [];
  for (const name of PACKAGES) {
    const src = join(root, name, 'src');
    // tsc -b rewrites only the outputs that changed, but always its build info.
    const built = join(root, name, 'dist', '.tsbuildinfo');
    if (!existsSync(src)) continue;
    if (!existsSync(built)) problems.push(`${name}: not built`);
    else if (statSync(built).mtimeMs < newestSource(src)) problems.push(`${name}: dist is older than src`);
  }
  if (problems.length > 0) {
    throw new Error(
      `the benchmark measures compiled packages: ${problems.join('; ')} — run \`npm run build\``,
    );
  }
}
