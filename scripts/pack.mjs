#!/usr/bin/env node
// Packs every public workspace package into an installable tarball (`npm run pack`). pnpm's own `pack`
// replaces `workspace:` ranges with the versions they point at, so the tarballs install with plain npm.
// Each tarball is then unpacked, its JavaScript bundled (scripts/bundle.mjs: one module per entry plus
// shared chunks instead of one per source file) and packed again with npm from that directory.
// Run after a build (`node scripts/run.mjs pack` builds first).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePackage } from './bundle.mjs';

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

/** Runs `command` in `cwd`; its stdout, or an error with its stderr. */
function mustSpawn(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/**
 * Packs every public package into `destination`; returns package name → tarball path.
 * @param {string} destination
 * @returns {Map<string, string>}
 */
export function packAll(destination) {
  mkdirSync(destination, { recursive: true });
  const tarballs = new Map();
  const staging = mkdtempSync(join(tmpdir(), 'nevertrust-pack-'));
  try {
    for (const { name, dir } of publicPackages()) {
      const unpacked = join(staging, name.replace(/[@/]/g, '_'));
      mkdirSync(unpacked);
      const { filename } = JSON.parse(
        mustSpawn(pnpmBin, ['pack', '--json', '--pack-destination', staging], dir),
      );
      mustSpawn('tar', ['-xzf', filename, '-C', unpacked], staging);
      bundlePackage(join(unpacked, 'package'));
      const [packed] = JSON.parse(
        mustSpawn('npm', ['pack', '--json', '--pack-destination', destination], join(unpacked, 'package')),
      );
      tarballs.set(name, resolve(destination, packed.filename));
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return tarballs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const destination = resolve(process.argv[2] ?? join(root, 'dist-packages'));
  for (const [name, tarball] of packAll(destination)) console.log(`${name}\t${tarball}`);
}
