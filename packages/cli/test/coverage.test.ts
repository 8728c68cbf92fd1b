/**
 * `nevertrust-coverage`: prints an app's coverage report and exits 1 when a route has no declared
 * requirement (a CI gate), 2 on usage or loading errors; `--help` prints the usage and loads nothing.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoverageCommand } from '../src/coverage-command.js';
import { runBin, sourceOf } from './run.js';

describe('nevertrust-coverage command', () => {
  let dir = '';
  const lines: { out: string[]; err: string[] } = { out: [], err: [] };
  const output = { stdout: (t: string) => lines.out.push(t), stderr: (t: string) => lines.err.push(t) };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nevertrust-coverage-'));
    const covered = {
      strict: false,
      rows: [
        {
          kind: 'route',
          method: 'GET',
          path: '/a',
          requirement: 'public',
          public: true,
          source: 'route',
          dryRun: false,
        },
      ],
      undeclared: [],
    };
    const gapRows = [
      {
        kind: 'route',
        method: 'GET',
        path: '/b',
        requirement: undefined,
        public: false,
        source: 'none',
        dryRun: false,
        undeclared: 'authenticated by default',
      },
    ];
    const gap = { strict: false, rows: gapRows, undeclared: gapRows };
    await writeFile(join(dir, 'covered.mjs'), `export const coverage = ${JSON.stringify(covered)};\n`);
    await writeFile(
      join(dir, 'gap.mjs'),
      `export async function report() { return ${JSON.stringify(gap)}; }\n`,
    );
    await writeFile(join(dir, 'nothing.mjs'), 'export const coverage = 42;\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the table and exits 0 when every route is declared', async () => {
    lines.out.length = 0;
    expect(await runCoverageCommand([join(dir, 'covered.mjs')], output)).toBe(0);
    expect(lines.out[0]?.split('\n')[1]).toBe('route  GET     /a    public       route');
  });

  it('exits 1 when a route has no declared requirement (a CI gate)', async () => {
    expect(await runCoverageCommand([join(dir, 'gap.mjs'), '--export', 'report'], output)).toBe(1);
  });

  it('exits 2 on usage and loading errors', async () => {
    lines.err.length = 0;
    expect(await runCoverageCommand([], output)).toBe(2);
    expect(await runCoverageCommand([join(dir, 'missing.mjs')], output)).toBe(2);
    expect(await runCoverageCommand([join(dir, 'nothing.mjs')], output)).toBe(2);
    expect(await runCoverageCommand([join(dir, 'covered.mjs'), '--export'], output)).toBe(2);
    expect(lines.err).toHaveLength(4);
  });

  it('--help and -h print the usage and exit 0, loading no module named --help', async () => {
    for (const args of [['--help'], ['-h'], [join(dir, 'covered.mjs'), '--help']]) {
      lines.out.length = 0;
      lines.err.length = 0;
      expect(await runCoverageCommand(args, output), args.join(' ')).toBe(0);
      expect(lines.out.join('\n')).toMatch(/^usage: nevertrust-coverage <module>/);
      expect(lines.err).toEqual([]);
    }
    lines.err.length = 0;
    expect(await runCoverageCommand(['--exprot', 'x', join(dir, 'covered.mjs')], output)).toBe(2);
    expect(lines.err[0]).toMatch(/^unknown option --exprot\n/);
  });

  it('is the package bin, and runs as an executable', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.bin['nevertrust-coverage']).toBe('./dist/coverage.js');
    expect(readFileSync(sourceOf(manifest.bin['nevertrust-coverage']), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
    const covered = runBin('coverage', join(dir, 'covered.mjs'));
    expect(covered.stdout).toContain('1 routes, 1 public, 0 without a declared requirement');
    expect(covered.status).toBe(0);
    expect(runBin('coverage', join(dir, 'gap.mjs'), '--export', 'report').status).toBe(1);
    const help = runBin('coverage', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: nevertrust-coverage <module>/);
    expect(help.stderr).toBe('');
  });
});
