import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTokenIssuer, generateTestKey } from '@nevertrust/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const repoRoot = join(packageRoot, '..', '..');
const consumer = join(here, 'fixtures', 'cjs', 'consumer.cjs');

/**
 * Brings `dist` up to date (incremental, so cheap when `npm test` has just built). Type errors are the build
 * step's business, not this test's: tsc still emits JavaScript then, which is what the child process loads.
 */
function ensureBuilt(): void {
  const result = spawnSync(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-b'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 170_000,
  });
  if (!existsSync(join(packageRoot, 'dist', 'index.js'))) {
    throw new Error(`tsc -b produced no dist/index.js:\n${result.stdout}${result.stderr}`);
  }
}

describe('CommonJS interop (Node 20.19+ require() of the ESM build)', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  it('require("@nevertrust/core") creates a guard and evaluates tokens', async () => {
    const key = generateTestKey('ES256');
    const settings = { issuer: 'https://idp.test/', audience: 'api', key };
    const mint = createTokenIssuer(settings);
    const input = {
      issuer: settings.issuer,
      audience: settings.audience,
      jwk: key.jwk,
      token: mint({ claims: { scope: 'orders:read', sub: 'cjs-user' } }),
      forged: mint({ signWith: generateTestKey('ES256').privateKey }),
    };
    // A clean environment: no loader hooks or export conditions leak in from the test runner.
    const { stdout } = await promisify(execFile)(process.execPath, [consumer], {
      cwd: dirname(consumer),
      env: { PATH: process.env.PATH ?? '', NEVERTRUST_CJS_INPUT: JSON.stringify(input) },
      timeout: 30_000,
    });
    const result = JSON.parse(stdout);

    const [major, minor] = String(result.node).split('.').map(Number) as [number, number];
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
    expect(result.resolved).toBe(join(packageRoot, 'dist', 'index.js'));
    expect(result.sameModuleAsImport).toBe(true);
    expect(result.allowed).toEqual({ outcome: 'allow', subject: 'cjs-user', scopes: ['orders:read'] });
    expect(result.denied).toEqual({ outcome: 'deny', code: 'ERR_SIGNATURE_INVALID', status: 401 });
    expect(result.configError).toEqual({
      code: 'ERR_CONFIG',
      branded: true,
      instance: true,
      problems: ['issuers: expected at least one issuer'],
    });
    expect(result.errorTableSize).toBe(Object.keys(core.ERROR_TABLE).length);
    // The subpaths: each its own build file; the main entry stays small, and no name is on two entries.
    expect(result.main.length).toBeLessThanOrEqual(30);
    for (const name of ['adapter', 'policy', 'sinks']) {
      const subpath = result.subpaths[name];
      expect(subpath.resolved).toBe(join(packageRoot, 'dist', `${name}.js`));
      for (const exported of subpath.exports)
        expect(result.main, `${name}: ${exported}`).not.toContain(exported);
    }
    expect(result.subpaths.sinks.exports).toEqual(
      expect.arrayContaining([
        'createHashChainSink',
        'createJsonLinesSink',
        'createPinoSink',
        'verifyAuditChain',
      ]),
    );
    expect(result.subpaths.adapter.exports).toEqual(
      expect.arrayContaining(['openGate', 'proceed', 'gateOf']),
    );
  });
});
