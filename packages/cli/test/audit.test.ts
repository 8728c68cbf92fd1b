/**
 * `nevertrust-audit`: verifies the files a real guard wrote through the hash-chain sink of
 * `@nevertrust/core/sinks` — exit 0 intact, 1 at the first broken record, 2 usage or I/O error, 3 intact
 * apart from a torn line — reading the key file as the raw bytes the sink was given; `--help`
 * prints the usage; `schema` prints the audit record JSON Schema.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditSink, createGuard } from '@nevertrust/core';
import { createHashChainSink } from '@nevertrust/core/sinks';
import { bearer, createTokenIssuer, generateTestKey, requestFacts } from '@nevertrust/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin, sourceOf } from './run.js';

const directory = mkdtempSync(join(tmpdir(), 'nevertrust-audit-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = () => join(directory, `audit-${++fileCount}.chain`);

const KEY = 'k'.repeat(32);
const ISSUER = 'https://idp.cli.test/';
const AUDIENCE = 'https://api.cli.test';
const signingKey = generateTestKey('ES256', 'cli');
const mint = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key: signingKey });

/** Writes `count` decision records (every third one a refusal) through a guard with the chain sink. */
async function writeChain(path: string, count: number, sink?: AuditSink): Promise<string[]> {
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [signingKey.jwk] }],
    audit: { sinks: [sink ?? createHashChainSink({ path })] },
  });
  for (let index = 0; index < count; index += 1) {
    await guard.evaluate(index % 3 === 0 ? requestFacts() : bearer(mint()));
  }
  await guard.close();
  return readLines(path);
}

const readLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
const writeLines = (path: string, lines: readonly string[]) => writeFileSync(path, `${lines.join('\n')}\n`);

describe('nevertrust-audit CLI', () => {
  const run = (...args: string[]) => runBin('audit', ...args);

  it('is the package bin', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.bin['nevertrust-audit']).toBe('./dist/audit.js');
    expect(readFileSync(sourceOf(manifest.bin['nevertrust-audit']), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  it('verify: exit 0 for an intact file, 1 with the first broken record, 2 for bad usage', async () => {
    const path = freshPath();
    const lines = await writeChain(path, 4);
    const intact = run('verify', path);
    expect(intact.status).toBe(0);
    expect(intact.stdout).toMatch(/^ok: 4 records intact, head seq 3 hash [0-9a-f]{64}\n$/);
    writeLines(path, [lines[0], lines[2], lines[3]] as string[]);
    const broken = run('verify', path);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toBe(`broken: ${path}:2: missing: record 1 missing\n`);
    const json = run('verify', '--json', path);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problem: 'missing', line: 2, expectedSeq: 1 });
    expect(run('verify').status).toBe(2);
    expect(run('frobnicate').status).toBe(2);
    for (const help of [['--help'], ['-h'], ['verify', '--help']]) {
      const printed = run(...help);
      expect(printed.status, help.join(' ')).toBe(0);
      expect(printed.stdout).toMatch(/^usage: nevertrust-audit verify/);
      expect(printed.stderr).toBe('');
    }
    expect(run('verify', join(directory, 'does-not-exist')).status).toBe(2);
  });

  it('verify --key-file reads the raw bytes the sink was given: a binary key, a trailing newline', async () => {
    const keys = [randomBytes(32), Buffer.from(`${KEY}\n`)];
    for (const [index, bytes] of keys.entries()) {
      const keyFile = join(directory, `chain-${index}.key`);
      writeFileSync(keyFile, bytes);
      const path = freshPath();
      await writeChain(path, 2, createHashChainSink({ path, key: readFileSync(keyFile) }));
      const verified = run('verify', '--key-file', keyFile, path);
      expect(verified.stdout).toMatch(/^ok: 2 records intact/);
      expect(verified.status).toBe(0);
      expect(run('verify', path).status).toBe(1);
    }
    // The key string without its newline is another key.
    const path = freshPath();
    await writeChain(path, 1, createHashChainSink({ path, key: KEY }));
    expect(run('verify', '--key-file', join(directory, 'chain-1.key'), path).status).toBe(1);
  });

  it('verify: exit 3 and the line number when the chain is intact apart from a torn line', async () => {
    const path = freshPath();
    await writeChain(path, 3);
    appendFileSync(path, '{"schema":"nevert');
    const result = run('verify', path);
    expect(result.stdout).toBe(
      `torn: ${path}:4: incomplete line (a write cut short), skipped\nok: 3 records intact, head seq 2 hash ${
        JSON.parse(readLines(path)[2] as string).chain.hash
      }\n`,
    );
    expect(result.status).toBe(3);
  });

  it('schema prints the JSON Schema of audit records', () => {
    const result = run('schema');
    expect(result.status).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.title).toBe('nevertrust.audit/1');
    const types = schema.oneOf.map(
      (variant: { properties: { type: { const: string } } }) => variant.properties.type.const,
    );
    expect(types.sort()).toEqual(['decision', 'detection', 'gap', 'key', 'key-refused', 'signal']);
  });
});
