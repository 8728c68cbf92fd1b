/**
 * Memory: a default guard loads only what it uses. find-my-way is loaded when a policy table is compiled,
 * never by importing the core and creating a default guard; no tracing library is ever loaded by the core
 * (OpenTelemetry lives in `@nevertrust/opentelemetry`). Each case runs in a fresh Node process (module
 * caches are per process) with hooks listing every ES module loaded, plus the CommonJS cache; the positive
 * controls show the listing does see a dependency when it is used.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures', 'lazy');
const repoRoot = join(here, '..', '..', '..');

/** Module paths (ES and CommonJS) a fresh process loaded for the given guard variant. */
async function modulesLoaded(variant: 'default' | 'policy'): Promise<string[]> {
  const directory = await mkdtemp(join(tmpdir(), 'nevertrust-lazy-'));
  const list = join(directory, 'modules.txt');
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        join(fixtures, 'register.mjs'),
        join(fixtures, 'load-core.mjs'),
        variant,
      ],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', NEVERTRUST_LOAD_LIST: list },
        timeout: 30_000,
      },
    );
    const result = JSON.parse(stdout) as { outcome: string; code: string; cjs: string[] };
    // The guard really evaluated a request.
    expect(result).toMatchObject({ outcome: 'deny', code: 'ERR_NO_CREDENTIALS' });
    const esm = (await readFile(list, 'utf8')).split('\n').filter((line) => line.length > 0);
    return [...esm, ...result.cjs].map((entry) => entry.replaceAll('\\', '/'));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

const loads = (modules: readonly string[], name: string) =>
  modules.some((path) => path.includes(`/node_modules/${name}/`));

describe('lazy dependencies (memory)', () => {
  it('a default guard loads neither find-my-way nor @opentelemetry/api', async () => {
    const modules = await modulesLoaded('default');
    expect(loads(modules, 'zod')).toBe(true);
    expect(loads(modules, 'find-my-way')).toBe(false);
    expect(loads(modules, '@opentelemetry/api')).toBe(false);
  }, 60_000);

  it('a policy table loads find-my-way', async () => {
    expect(loads(await modulesLoaded('policy'), 'find-my-way')).toBe(true);
  }, 60_000);
});
