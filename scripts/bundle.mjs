// Bundles a packed package's JavaScript before it is tarred (used by scripts/pack.mjs). tsc writes one
// file per source module, so importing the core loaded ~130 modules, each resolved, read and linked on
// its own. Each entry of the package (its exports and bins) becomes one ES module here, code shared
// between entries goes into shared chunks (dist/chunks/), so a class is still defined once and
// `instanceof` holds across entries. Dependencies stay imports (never inlined), the declarations and
// their maps from tsc are kept as they are, and the source maps are chained through tsc's own, so they
// still point at the package's `src/*.ts`.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildSync } from 'esbuild';

/** Every `.js` path an entry of `manifest` points at: its exports' `default` targets, `main`, bins. */
function entryPoints(manifest) {
  const targets = [];
  const visit = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') {
      for (const [condition, inner] of Object.entries(value)) {
        if (condition !== 'types' && condition !== 'nevertrust-source') visit(inner);
      }
    }
  };
  visit(manifest.exports ?? {});
  visit(manifest.main);
  visit(typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {}));
  return [...new Set(targets.filter((target) => target.endsWith('.js')).map((t) => t.replace(/^\.\//, '')))];
}

/** Every file under `dir` (relative paths). */
function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name), base) : [relative(base, join(dir, entry.name))],
  );
}

/**
 * Replaces the per-module JavaScript under `packageDir/dist` with one bundle per entry plus shared
 * chunks; keeps every `.d.ts` and `.d.ts.map`.
 * @param {string} packageDir an unpacked package (its `package.json` and `dist/`)
 */
export function bundlePackage(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const entries = entryPoints(manifest);
  if (entries.length === 0) return;
  const out = join(packageDir, 'dist.bundle');
  buildSync({
    absWorkingDir: packageDir,
    entryPoints: entries,
    outdir: out,
    outbase: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
  const dist = join(packageDir, 'dist');
  for (const file of walk(dist)) {
    if (/\.js(\.map)?$/.test(file)) rmSync(join(dist, file));
  }
  for (const file of walk(out)) {
    mkdirSync(dirname(join(dist, file)), { recursive: true });
    renameSync(join(out, file), join(dist, file));
  }
  rmSync(out, { recursive: true, force: true });
}
