/**
 * The tamper-evident file sink and its verifier: an intact file passes; an edited, deleted, inserted or
 * reordered record is reported at the first broken line; a keyed chain cannot be recomputed without the
 * key; the chain resumes across restarts and rotations; the `nevertrust-audit` CLI does the same.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AuditSink,
  canonicalJson,
  chainHash,
  createHashChainSink,
  GENESIS_HASH,
  verifyAuditChain,
} from '../../src/index.js';
import { monitoredGuard } from './helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'nevertrust-chain-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = () => join(directory, `audit-${++fileCount}.chain`);

const KEY = 'k'.repeat(32);

/** Writes `count` decision records through a guard with the chain sink, and returns the file's lines. */
async function writeChain(path: string, count: number, sink?: AuditSink): Promise<string[]> {
  const chain = sink ?? createHashChainSink({ path });
  const { guard, mint, call } = monitoredGuard({ audit: { sinks: [chain] } });
  for (let index = 0; index < count; index += 1) {
    await call(index % 3 === 0 ? undefined : mint(), { target: `/orders/${index}?access_token=x` });
  }
  await guard.close();
  return readLines(path);
}

const readLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
const writeLines = (path: string, lines: readonly string[]) => writeFileSync(path, `${lines.join('\n')}\n`);

describe('hash-chained file sink', () => {
  it('writes one chained record per line, starting from the genesis hash', async () => {
    const path = freshPath();
    const lines = await writeChain(path, 5);
    expect(lines).toHaveLength(5);
    const records = lines.map((line) => JSON.parse(line));
    expect(records.map((record) => record.chain.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(records[0].chain.prev).toBe(GENESIS_HASH);
    for (const [index, record] of records.entries()) {
      const { chain, ...rest } = record;
      expect(chain.hash).toBe(chainHash(index, chain.prev, rest));
      if (index > 0) expect(chain.prev).toBe(records[index - 1].chain.hash);
    }
    const result = await verifyAuditChain([path]);
    expect(result).toEqual({
      ok: true,
      records: 5,
      first: { seq: 0, prev: GENESIS_HASH },
      head: { seq: 4, hash: records[4].chain.hash },
    });
  });

  it('catches an edited record (its own hash breaks)', async () => {
    const path = freshPath();
    const lines = await writeChain(path, 4);
    const edited = JSON.parse(lines[2] as string);
    edited.remoteAddress = '10.9.9.9';
    writeLines(path, [lines[0], lines[1], JSON.stringify(edited), lines[3]] as string[]);
    expect(await verifyAuditChain([path])).toMatchObject({
      ok: false,
      problem: 'altered',
      line: 3,
      expectedSeq: 2,
    });
  });

  it('catches an edited record whose hash was recomputed (the next record no longer links to it)', async () => {
    const path = freshPath();
    const lines = await writeChain(path, 4);
    const { chain, ...record } = JSON.parse(lines[1] as string);
    record.subject = 'someone-else';
    const forged = { ...record, chain: { ...chain, hash: chainHash(chain.seq, chain.prev, record) } };
    writeLines(path, [lines[0], JSON.stringify(forged), lines[2], lines[3]] as string[]);
    expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'unlinked', line: 3 });
  });

  it('catches a deleted record, a deleted first record, reordering and an inserted line', async () => {
    const path = freshPath();
    const lines = await writeChain(path, 5);
    const [a, b, c, d, e] = lines as [string, string, string, string, string];
    writeLines(path, [a, b, d, e]);
    expect(await verifyAuditChain([path])).toMatchObject({
      ok: false,
      problem: 'missing',
      line: 3,
      expectedSeq: 2,
    });
    writeLines(path, [b, c, d, e]);
    expect(await verifyAuditChain([path])).toMatchObject({
      ok: false,
      problem: 'missing',
      line: 1,
      expectedSeq: 0,
    });
    writeLines(path, [a, c, b, d, e]);
    expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'missing', line: 2 });
    writeLines(path, [a, b, b, c, d, e]);
    expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'reordered', line: 3 });
    writeLines(path, [a, b, '{"type":"decision","outcome":"allow"}', c, d, e]);
    expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'malformed', line: 3 });
  });

  it('with a key, a fully recomputed SHA-256 chain does not verify', async () => {
    const path = freshPath();
    const lines = await writeChain(path, 3, createHashChainSink({ path, key: KEY }));
    expect(await verifyAuditChain([path], { key: KEY })).toMatchObject({ ok: true, records: 3 });
    expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'altered', line: 1 });
    // An attacker without the key rewrites every record and recomputes an unkeyed chain.
    let prev = GENESIS_HASH;
    const forged = lines.map((line, seq) => {
      const { chain: _chain, ...record } = JSON.parse(line);
      record.outcome = 'allow';
      const hash = chainHash(seq, prev, record);
      const text = JSON.stringify({ ...record, chain: { seq, prev, hash } });
      prev = hash;
      return text;
    });
    writeLines(path, forged);
    expect(await verifyAuditChain([path], { key: KEY })).toMatchObject({
      ok: false,
      problem: 'altered',
      line: 1,
    });
    expect(() => createHashChainSink({ path, key: 'short' })).toThrow(RangeError);
  });

  it('resumes the chain after a restart, and isolates a torn last line', async () => {
    const path = freshPath();
    await writeChain(path, 2);
    await writeChain(path, 2);
    expect(await verifyAuditChain([path])).toMatchObject({ ok: true, records: 4, head: { seq: 3 } });
    // A crash mid-write leaves half a line: the next record starts on a fresh line, the chain continues
    // from the last complete record, and the verifier reports the torn line.
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"schema":"nevertrust.au`);
    await writeChain(path, 1);
    const lines = readLines(path);
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[5] as string).chain.seq).toBe(4);
    expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'malformed', line: 5 });
  });

  it('continues the chain across size rotation; files verify together, or alone with --continues', async () => {
    const path = freshPath();
    const sink = createHashChainSink({ path, maxBytes: 2000, maxFiles: 10 });
    const { guard, mint, call } = monitoredGuard({ audit: { sinks: [sink], batchSize: 1 } });
    for (let index = 0; index < 12; index += 1) {
      await call(mint());
      await guard.flushAudit();
    }
    await guard.close();
    const rotated = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
      .map((index) => `${path}.${index}`)
      .filter((file) => {
        try {
          return readFileSync(file).length > 0;
        } catch {
          return false;
        }
      });
    expect(rotated.length).toBeGreaterThanOrEqual(2);
    expect(rotated.length).toBeLessThan(10);
    const all = [...rotated, path];
    const total = all.reduce((sum, file) => sum + readLines(file).length, 0);
    expect(total).toBe(12);
    expect(await verifyAuditChain(all)).toMatchObject({ ok: true, records: 12, head: { seq: 11 } });
    expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'missing', line: 1 });
    const alone = await verifyAuditChain([path], { allowContinuation: true });
    expect(alone.ok && alone.first?.seq).toBeGreaterThan(0);
    // Files given out of order break the sequence.
    expect(await verifyAuditChain([path, ...rotated], { allowContinuation: true })).toMatchObject({
      ok: false,
    });
  });

  it('hashes a canonical form: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }], u: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(chainHash(0, GENESIS_HASH, { a: 1, b: 2 })).toBe(chainHash(0, GENESIS_HASH, { b: 2, a: 1 }));
    expect(chainHash(0, GENESIS_HASH, { a: 1 })).not.toBe(chainHash(0, GENESIS_HASH, { a: 2 }));
    expect(chainHash(0, GENESIS_HASH, { a: 1 })).not.toBe(chainHash(1, GENESIS_HASH, { a: 1 }));
  });
});

describe('nevertrust-audit CLI', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const cli = join(here, '../../src/monitoring/audit-cli.ts');
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', tsx, cli, ...args], { encoding: 'utf8', timeout: 20_000 });

  it('is the package bin', () => {
    const manifest = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8'));
    expect(manifest.bin['nevertrust-audit']).toBe('./dist/monitoring/audit-cli.js');
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
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
    expect(run('verify', join(directory, 'does-not-exist')).status).toBe(2);
  });

  it('verify --key-file reads the HMAC key from a file', async () => {
    const path = freshPath();
    await writeChain(path, 2, createHashChainSink({ path, key: KEY }));
    const keyFile = join(directory, 'chain.key');
    writeFileSync(keyFile, `${KEY}\n`);
    expect(run('verify', '--key-file', keyFile, path).status).toBe(0);
    expect(run('verify', path).status).toBe(1);
  });

  it('schema prints the JSON Schema of audit records', () => {
    const result = run('schema');
    expect(result.status).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.title).toBe('nevertrust.audit/1');
    expect(schema.oneOf).toHaveLength(4);
  });
});
