/**
 * The tamper-evident file sink and its verifier: an intact file passes; an edited, deleted, inserted or
 * reordered record is reported at the first broken line; the hash covers the line's exact bytes and a
 * line with duplicate member names is refused (J-13, attack #21); a keyed chain cannot be recomputed
 * without the key; the chain resumes across restarts and rotations; a torn line is reported and the
 * records after it are still verified. The `nevertrust-audit` command is tested in `@nevertrust/cli`.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditSink } from '../../src/index.js';
import {
  chainHash,
  chainLine,
  createHashChainSink,
  GENESIS_HASH,
  verifyAuditChain,
} from '../../src/sinks.js';
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
      // The line is exactly the record's JSON with the link last; the hash covers every byte before it.
      expect(chainLine(rest, index, chain.prev).text).toBe(lines[index]);
      const line = lines[index] as string;
      expect(chain.hash).toBe(chainHash(line.slice(0, line.length - 67)));
      expect(line.endsWith(`"hash":"${chain.hash}"}}`)).toBe(true);
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
    const forged = chainLine(record, chain.seq, chain.prev).text;
    writeLines(path, [lines[0], forged, lines[2], lines[3]] as string[]);
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
      const { text, link } = chainLine(record, seq, prev);
      prev = link.hash;
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

  it('resumes the chain after a restart from the last complete record, around a torn line', async () => {
    const path = freshPath();
    await writeChain(path, 2);
    await writeChain(path, 2);
    expect(await verifyAuditChain([path])).toMatchObject({ ok: true, records: 4, head: { seq: 3 } });
    // A crash mid-write leaves half a line: the next record starts on a fresh line, the chain continues
    // from the last complete record, and the verifier reports the torn line and verifies past it.
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"schema":"nevertrust.au`);
    await writeChain(path, 1);
    const lines = readLines(path);
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[5] as string).chain.seq).toBe(4);
    expect(await verifyAuditChain([path])).toEqual({
      ok: true,
      records: 5,
      first: { seq: 0, prev: GENESIS_HASH },
      head: { seq: 4, hash: JSON.parse(lines[5] as string).chain.hash },
      torn: [{ file: path, line: 5 }],
    });
  });

  it('two crashes in a row: the writer passes over both torn lines and resumes from the last good record', async () => {
    const path = freshPath();
    await writeChain(path, 3);
    // The first crash tore a line; the restarted writer terminated it and crashed again mid-record.
    appendFileSync(path, '{"schema":"nevertrust.audit/1","ty\n{"schema":"nev');
    await writeChain(path, 2);
    const result = await verifyAuditChain([path]);
    expect(result).toMatchObject({ ok: true, records: 5, head: { seq: 4 } });
    expect(result.torn).toEqual([
      { file: path, line: 4 },
      { file: path, line: 5 },
    ]);
  });

  it('a torn tail (crash, no restart yet) is reported, every record before it verified', async () => {
    const path = freshPath();
    const lines = await writeChain(path, 30);
    appendFileSync(path, (lines[5] as string).slice(0, 40));
    expect(await verifyAuditChain([path])).toMatchObject({
      ok: true,
      records: 30,
      head: { seq: 29 },
      torn: [{ file: path, line: 31 }],
    });
  });

  it('a torn middle line is reported and the 1200 records written after the restart are still verified', async () => {
    const path = freshPath();
    await writeChain(path, 10);
    appendFileSync(path, '{"schema":"nevertrust.audit/1","type":"decision","outcome":"al');
    await writeChain(path, 1200);
    const result = await verifyAuditChain([path]);
    expect(result).toMatchObject({ ok: true, records: 1210, head: { seq: 1209 } });
    expect(result.torn).toEqual([{ file: path, line: 11 }]);
    // A record altered after the tear is still caught, at its own line.
    const after = readLines(path);
    after[700] = (after[700] as string).replace('"method":"GET"', '"method":"PUT"');
    writeLines(path, after);
    expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'altered', line: 701 });
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

  it('J-13 #21 an "outcome" turned into "allow","deny" fails with and without a key, even with a recomputed hash', async () => {
    for (const key of [undefined, KEY]) {
      const path = freshPath();
      const lines = await writeChain(path, 6, createHashChainSink({ path, ...(key ? { key } : {}) }));
      const index = lines.findIndex((line) => line.includes('"outcome":"deny"'));
      expect(index).toBeGreaterThanOrEqual(0);
      const edited = [...lines];
      // A first-member reader (grep, a person, some parsers) now sees "allow"; JSON.parse still sees "deny".
      edited[index] = (lines[index] as string).replace(
        '"outcome":"deny"',
        '"outcome":"allow","outcome":"deny"',
      );
      writeLines(path, edited);
      const result = await verifyAuditChain([path], key ? { key } : {});
      expect(result).toMatchObject({ ok: false, problem: 'malformed', line: index + 1 });
      expect(!result.ok && result.message).toMatch(/duplicate or forbidden name "outcome"/);
      // Without a key an editor can recompute the hash over the edited bytes: the duplicate is still refused.
      const text = edited[index] as string;
      const covered = text.slice(0, text.length - 67);
      edited[index] = `${covered}${chainHash(covered)}"}}`;
      writeLines(path, edited);
      expect(await verifyAuditChain([path])).toMatchObject({
        ok: false,
        problem: 'malformed',
        line: index + 1,
      });
    }
  });

  it('hashes the exact bytes: an edit a re-serialising parser would hide is caught', async () => {
    const path = freshPath();
    const lines = await writeChain(path, 3);
    for (const edit of [
      (line: string) => line.replace('"outcome":', '"outcome": '),
      (line: string) => line.replace('"path":"/', '"path":"\\/'),
      (line: string) => line.replace('"type":"decision"', '"type":"\\u0064ecision"'),
    ]) {
      const edited = [...lines];
      edited[1] = edit(lines[1] as string);
      expect(edited[1]).not.toBe(lines[1]);
      expect(JSON.parse(edited[1] as string)).toEqual(JSON.parse(lines[1] as string));
      writeLines(path, edited);
      expect(await verifyAuditChain([path])).toMatchObject({ ok: false, problem: 'altered', line: 2 });
    }
    expect(chainHash('a')).not.toBe(chainHash('a', KEY));
    expect(chainLine({ a: 1, chain: { seq: 9 } }, 0, GENESIS_HASH).text).toMatch(
      /^\{"a":1,"chain":\{"seq":0,/,
    );
    expect(chainLine({}, 0, GENESIS_HASH).text).toMatch(/^\{"chain":\{"seq":0,/);
  });
});
