/**
 * Every sink, fed by a real guard: callback, JSON lines to a stream and to a size-rotated file, a pino
 * child logger, diagnostics_channel, several at once (the OpenTelemetry log sink is tested in
 * `@nevertrust/opentelemetry`). Whatever the sink, the trail
 * validates against the published schema and never holds the token (checklist A12, attack #31).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type AuditRecord, createCallbackSink, createDiagnosticsChannelSink } from '../../src/index.js';
import { AUDIT_CHANNEL, auditRecordSchema, createJsonLinesSink, createPinoSink } from '../../src/sinks.js';
import { monitoredGuard } from './helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'nevertrust-sinks-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Drives a few requests: an allow, a missing token, a bad token, a query token (all with one token). */
async function drive(sinks: Parameters<typeof monitoredGuard>[0]) {
  const harness = monitoredGuard(sinks);
  const token = harness.mint();
  await harness.call(token, { routeId: '/orders' });
  await harness.call(undefined);
  await harness.call(`${token.slice(0, -4)}AAAA`);
  await harness.guard.evaluate({
    method: 'GET',
    target: `/orders?access_token=${token}`,
    headers: {},
    remoteAddress: '192.0.2.1',
  });
  await harness.guard.close();
  return token;
}

function expectNoToken(text: string, token: string): void {
  // Any 12 consecutive characters of the token would be a leak (the fingerprint is a hash, not a slice).
  for (let start = 0; start + 12 <= token.length; start += 6) {
    expect(text.includes(token.slice(start, start + 12)), `token text at ${start}`).toBe(false);
  }
}

describe('audit sinks', () => {
  it('callback: every record, in order, valid against the schema, without the token (A12, #31)', async () => {
    const records: AuditRecord[] = [];
    const token = await drive({
      audit: { sinks: [createCallbackSink((record) => void records.push(record))] },
    });
    expect(records.map((record) => record.type === 'decision' && record.reason)).toEqual([
      'OK',
      'ERR_NO_CREDENTIALS',
      'ERR_SIGNATURE_INVALID',
      'ERR_NO_CREDENTIALS',
    ]);
    for (const record of records) expect(auditRecordSchema.safeParse(record).success).toBe(true);
    expectNoToken(JSON.stringify(records), token);
    const first = records[0];
    expect(first?.type === 'decision' && first.path).toBe('/orders');
  });

  it('JSON lines to a stream: one parseable line per record, awaiting backpressure', async () => {
    const chunks: string[] = [];
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        setTimeout(done, 5);
      },
    });
    const token = await drive({ audit: { sinks: [createJsonLinesSink({ stream: slow })] } });
    const lines = chunks.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(auditRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);
    expectNoToken(chunks.join(''), token);
  });

  it('JSON lines to a stream that was closed: writes fail and are counted, requests unaffected', async () => {
    const stream = new PassThrough();
    stream.destroy();
    const harness = monitoredGuard({ audit: { sinks: [createJsonLinesSink({ stream, name: 'closed' })] } });
    expect((await harness.call(harness.mint())).outcome).toBe('allow');
    await harness.guard.flushAudit();
    expect(harness.guard.auditHealth()).toEqual([
      { sink: 'closed', healthy: false, queued: 0, lost: { queue_full: 0, write_failed: 1 } },
    ]);
  });

  it('JSON lines to a file, rotated by size, files created 0600', async () => {
    const path = join(directory, 'authz.jsonl');
    const sink = createJsonLinesSink({ path, maxBytes: 1500, maxFiles: 2 });
    const harness = monitoredGuard({ audit: { sinks: [sink], batchSize: 1 } });
    const token = harness.mint();
    for (let index = 0; index < 12; index += 1) {
      await harness.call(token, { target: `/orders/${index}` });
      await harness.guard.flushAudit();
    }
    await harness.guard.close();
    const files = readdirSync(directory)
      .filter((name) => name.startsWith('authz.jsonl'))
      .sort();
    expect(files).toEqual(['authz.jsonl', 'authz.jsonl.1', 'authz.jsonl.2']);
    for (const name of files) {
      const file = join(directory, name);
      expect(statSync(file).size).toBeLessThanOrEqual(1500);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    // The newest records are in the current file; the oldest rotated out beyond maxFiles.
    const current = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(current.at(-1).path).toBe('/orders/11');
  });

  it('pino: a child logger, records nested under one key, level by outcome', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino({ level: 'info' }, destination);
    const token = await drive({ audit: { sinks: [createPinoSink(logger)] } });
    await new Promise((resolve) => setImmediate(resolve));
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries).toHaveLength(4);
    expect(entries.map((entry) => entry.level)).toEqual([30, 40, 40, 40]);
    for (const entry of entries) {
      expect(entry.component).toBe('nevertrust-audit');
      expect(entry.msg).toBe('nevertrust.audit decision');
      expect(auditRecordSchema.safeParse(entry.audit).success).toBe(true);
    }
    expectNoToken(lines.join('\n'), token);
  });

  it('diagnostics_channel: published on nevertrust:audit only when someone subscribed', async () => {
    const received: unknown[] = [];
    const listener = (message: unknown) => received.push(message);
    await drive({ audit: { sinks: [createDiagnosticsChannelSink()] } });
    expect(received).toHaveLength(0);
    subscribe(AUDIT_CHANNEL, listener);
    try {
      await drive({ audit: { sinks: [createDiagnosticsChannelSink()] } });
    } finally {
      unsubscribe(AUDIT_CHANNEL, listener);
    }
    expect(received).toHaveLength(4);
    expect(received.every((message) => auditRecordSchema.safeParse(message).success)).toBe(true);
  });

  it('several sinks at once each receive the whole trail', async () => {
    const a: AuditRecord[] = [];
    const b: AuditRecord[] = [];
    await drive({
      audit: {
        sinks: [
          createCallbackSink((record) => void a.push(record), 'a'),
          createCallbackSink((record) => void b.push(record), 'b'),
        ],
      },
    });
    expect(a).toHaveLength(4);
    expect(b).toEqual(a);
  });
});
