import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoverageCommand } from '../../src/cli/coverage-command.js';
import {
  buildCoverage,
  type DeclaredRoute,
  formatCoverage,
  PUBLIC,
  requireRoles,
  requireScopes,
} from '../../src/index.js';
import { policyHarness } from './helpers.js';

const appRoutes: DeclaredRoute[] = [
  { method: 'GET', path: '/orders/:id', requirements: [requireScopes('orders:read')] },
  { method: 'GET', path: '/health', requirements: [PUBLIC] },
  { method: 'POST', path: '/orders' },
  { method: 'DELETE', path: '/orders/:id' },
];

describe('coverage report', () => {
  it('lists every route with its requirement and the undeclared ones (no table)', () => {
    const { guard } = policyHarness();
    const report = buildCoverage(appRoutes, guard.policy);
    expect(report.rows.map((row) => [row.method, row.path, row.requirement, row.public, row.source])).toEqual(
      [
        ['GET', '/health', 'public', true, 'route'],
        ['POST', '/orders', undefined, false, 'none'],
        ['DELETE', '/orders/:id', undefined, false, 'none'],
        ['GET', '/orders/:id', 'scopes:all(orders:read)', false, 'route'],
      ],
    );
    expect(report.undeclared.map((row) => `${row.method} ${row.path} ${row.undeclared}`)).toEqual([
      'POST /orders authenticated by default',
      'DELETE /orders/:id authenticated by default',
    ]);
  });

  it('flags a route nevertrust does not see as not protected, whatever it declares', () => {
    const { guard } = policyHarness();
    const report = buildCoverage(
      [{ method: 'GET', path: '/early', requirements: [requireScopes('a')], protected: false }],
      guard.policy,
    );
    expect(report.undeclared).toEqual([
      expect.objectContaining({ path: '/early', undeclared: 'NOT PROTECTED: registered before nevertrust' }),
    ]);
  });

  it('says what strict mode does with undeclared routes', () => {
    const { guard } = policyHarness({ policy: { strict: true } });
    expect(buildCoverage(appRoutes, guard.policy).undeclared[0]?.undeclared).toBe('refused (strict mode)');
  });

  it('finds table entries for route patterns and combines them with route requirements', () => {
    const { guard } = policyHarness({
      policy: {
        routes: [
          { method: 'POST', path: '/orders', requirement: requireScopes('orders:write') },
          { method: 'GET', path: '/orders/:orderId', requirement: requireRoles('clerk'), dryRun: true },
        ],
      },
    });
    const report = buildCoverage(appRoutes, guard.policy);
    const byKey = new Map(report.rows.map((row) => [`${row.method} ${row.path}`, row]));
    expect(byKey.get('POST /orders')).toMatchObject({
      source: 'table',
      requirement: 'scopes:all(orders:write)',
    });
    expect(byKey.get('GET /orders/:id')).toMatchObject({
      source: 'route+table',
      requirement: 'roles:all(clerk) + scopes:all(orders:read)',
      dryRun: true,
    });
    expect(byKey.get('DELETE /orders/:id')).toMatchObject({
      source: 'none',
      undeclared: 'refused (no table entry)',
    });
  });

  it('prints an aligned table with a summary', () => {
    const { guard } = policyHarness();
    const text = formatCoverage(buildCoverage(appRoutes, guard.policy));
    const lines = text.split('\n');
    expect(lines[0]).toBe('KIND   METHOD  PATH         REQUIREMENT                       SOURCE');
    expect(lines).toContain('route  GET     /health      public                            route');
    expect(lines).toContain('route  POST    /orders      (none: authenticated by default)  none');
    expect(lines.at(-1)).toBe('4 routes, 1 public, 2 without a declared requirement');
  });
});

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

  it('runs as an executable', async () => {
    const tsx = resolve('node_modules/.bin/tsx');
    const run = promisify(execFile);
    const result = await run(tsx, ['packages/core/src/cli/coverage.ts', join(dir, 'covered.mjs')], {
      timeout: 15_000,
    });
    expect(result.stdout).toContain('1 routes, 1 public, 0 without a declared requirement');
    await expect(
      run(tsx, ['packages/core/src/cli/coverage.ts', join(dir, 'gap.mjs'), '--export', 'report'], {
        timeout: 15_000,
      }),
    ).rejects.toMatchObject({ code: 1 });
  });
});
