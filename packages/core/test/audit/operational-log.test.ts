/**
 * The operational log: an unreachable provider, stale keys, recovered keys, faulty stores and lost audit
 * records are said once when they start (and again only when they change or, for repeating faults, once a
 * minute with a count), with stable codes, the issuer and the URL — never a token.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPEAT_AFTER_MS } from '../../src/audit/operational-log.js';
import { ConfigError, createGuard } from '../../src/index.js';
import { failingCounters } from '../fixtures/failing-counters.js';
import { AUDIENCE, Cleanup, ISSUER, startRig } from '../fixtures/remote-rig.js';
import { testKey } from '../support.js';

type Line = { level: string; message: string; details: Record<string, unknown> };

function capture() {
  const lines: Line[] = [];
  const at = (level: string) => (details: Record<string, unknown>, message: string) =>
    lines.push({ level, message, details });
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } };
}

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('keys', () => {
  it('an unreachable key endpoint is one error naming the issuer and URL, then one line when it recovers', async () => {
    const { lines, logger } = capture();
    const rig = await startRig(cleanup, { guard: { logger } });
    rig.server.setMode('down');
    await expect(rig.guard.ready()).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    await expect(rig.guard.ready()).rejects.toThrow(`no usable keys for issuer ${ISSUER}`);
    await rig.evaluate(rig.mint());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      details: { code: 'ERR_KEYS_UNAVAILABLE', issuer: ISSUER, url: rig.server.jwksUri },
    });
    expect(lines[0]?.message).toContain(rig.server.jwksUri);

    rig.server.setMode('up');
    rig.clock.advance(60_000);
    await rig.guard.ready();
    expect(lines.slice(1)).toEqual([
      expect.objectContaining({
        level: 'info',
        details: expect.objectContaining({ code: 'KEYS_RECOVERED' }),
      }),
    ]);
  });

  it('a failing refresh while the last keys still verify is a warning about stale keys', async () => {
    const { lines, logger } = capture();
    const rig = await startRig(cleanup, { guard: { logger } });
    await rig.guard.ready();
    rig.server.setMode('down');
    rig.clock.advance(600_001);
    await rig.evaluate(rig.mint());
    await rig.nextReport();
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ code: 'KEYS_STALE', issuer: ISSUER }),
      }),
    ]);
  });
});

describe('stores and sinks', () => {
  it('a faulty counter store is one warning per store per minute, with the count since the last', async () => {
    const { lines, logger } = capture();
    const { guard, clock, facts } = failingCounters({ logger });
    for (let i = 0; i < 3; i += 1) expect((await guard.evaluate(facts)).outcome).toBe('deny');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ store: 'counters', count: 1 }),
      }),
    ]);
    clock.now += REPEAT_AFTER_MS;
    await guard.evaluate(facts);
    expect(lines[1]?.details).toMatchObject({ store: 'counters', count: 3 });
    await guard.close();
  });

  it('lost audit records are a warning naming the sink and the reason', async () => {
    const { lines, logger } = capture();
    const guard = createGuard({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [testKey().jwk] }],
      logger,
      audit: {
        queueSize: 1,
        batchSize: 1,
        sinks: [{ name: 'slow', write: () => new Promise((done) => setTimeout(done, 50)) }],
      },
    });
    for (let i = 0; i < 5; i += 1) await guard.evaluate({ method: 'GET', target: '/', headers: {} });
    expect(lines[0]).toMatchObject({
      level: 'warn',
      details: { code: 'AUDIT_RECORDS_LOST', sink: 'slow', reason: 'queue_full' },
    });
    await guard.close().catch(() => {});
  });
});

describe('the default and the option', () => {
  it('by default a fault is one line on stderr; logger: false says nothing; a wrong logger fails at start-up', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const rig = await startRig(cleanup, { guard: { logger: undefined } });
      rig.server.setMode('down');
      await rig.guard.ready().catch(() => {});
      const written = write.mock.calls.map(([line]) => String(line));
      expect(written.filter((line) => line.startsWith('nevertrust error: no usable keys'))).toHaveLength(1);
      write.mockClear();
      const quiet = await startRig(cleanup, { guard: { logger: false } });
      quiet.server.setMode('down');
      await quiet.guard.ready().catch(() => {});
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
    expect(() =>
      createGuard({
        issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [testKey().jwk] }],
        logger: console.log as never,
      }),
    ).toThrow(ConfigError);
  });
});
