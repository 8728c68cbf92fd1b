/**
 * Runs one of this package's executables from its TypeScript source, the way `npx` runs the built one:
 * a separate Node process, workspace packages resolved to their sources.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const tsx = createRequire(import.meta.url).resolve('tsx');

/** The source file of a bin named in package.json (`./dist/audit.js` → `src/audit.ts`). */
export function sourceOf(bin: string): string {
  return fileURLToPath(
    new URL(`../${bin.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`, import.meta.url),
  );
}

/** Runs `src/<name>.ts` with `args`; resolves with its exit status and output. */
export function runBin(name: 'audit' | 'coverage', ...args: string[]) {
  return spawnSync(
    process.execPath,
    ['--conditions=nevertrust-source', '--import', tsx, sourceOf(`./dist/${name}.js`), ...args],
    { encoding: 'utf8', timeout: 20_000 },
  );
}
