#!/usr/bin/env node
// Packs every public workspace package into an installable tarball (`npm run pack`). pnpm's own `pack`
// replaces `workspace:` ranges with the versions they point at, so the tarballs install with plain npm.
// Run after a build (`node scripts/run.mjs pack` builds first).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmBin = join(root, '.tools', 'node_modules', '.bin', 'pnpm');

/**
 * The public packages of the workspace (`packages/*` not marked private), as `{ name, dir }`.
 * @returns {{ name: string, dir: string }[]}
 */
export function publicPackages() {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(base, entry.name))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir }));
}

/**
 * Packs every public package into `destination`; returns package name → tarball path.
 * @param {string} destination
 * @returns {Map<string, string>}
 */
export function packAll(destination) {
  mkdirSync(destination, { recursive: true });
  const tarballs = new Map();
  for (const { name, dir } of publicPackages()) {
    const result = spawnSync(pnpmBin, ['pack', '--json', '--pack-destination', destination], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`pnpm pack ${name} failed:\n${result.stderr}`);
    const { filename } = JSON.parse(result.stdout);
    tarballs.set(name, resolve(destination, filename));
  }
  return tarballs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const destination = resolve(process.argv[2] ?? join(root, 'dist-packages'));
  for (const [name, tarball] of packAll(destination)) console.log(`${name}\t${tarball}`);
}
