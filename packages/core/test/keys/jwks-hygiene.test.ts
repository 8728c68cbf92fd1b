/**
 * Weak keys in a fetched key set (checklist K-7, K-8, K-9; attacks #19, #25), against a real key server:
 * each refused member is skipped and reported — a `key-refused` audit record naming issuer and `kid`, a
 * warn line in the application's log (pino sink), and a count in the fetch report every metrics recorder
 * receives. Tokens under a refused key are refused; the sound keys of the same set keep working.
 */
import { Writable } from 'node:stream';
import {
  b64url,
  bearer,
  createTokenIssuer,
  generateTestKey,
  startKeyServer,
  type TestKey,
} from '@nevertrust/testkit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard, type KeyFetchReport } from '../../src/index.js';
import { auditRecordSchema, createPinoSink, type KeyRefusedEvent } from '../../src/sinks.js';
import { collectingSink } from '../audit/helpers.js';
import { Cleanup } from '../fixtures/remote-rig.js';
import { generateRocaKey } from '../fixtures/roca-key.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const ISSUER = 'https://weak-keys.test/';
const AUDIENCE = 'https://api.test';

/** The Ed25519 identity: imports in Node, and then verifies a forged signature for every message. */
function smallOrderEd25519(kid: string): Record<string, unknown> {
  const identity = Buffer.alloc(32);
  identity[0] = 1;
  return { kty: 'OKP', crv: 'Ed25519', x: b64url(identity), kid, alg: 'EdDSA', use: 'sig' };
}

async function startGuard(published: Record<string, unknown>[]) {
  const server = await startKeyServer({ keys: published });
  cleanup.add(() => server.close());
  const sink = collectingSink();
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const reports: KeyFetchReport[] = [];
  const recorded: KeyFetchReport[] = [];
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.jwksUri }],
    keyFetch: { ...(server.ca ? { ca: server.ca } : {}), onFetch: (report) => reports.push(report) },
    audit: { sinks: [sink, createPinoSink(logger)] },
    metrics: [{ keyFetch: (report) => recorded.push(report) }],
  });
  cleanup.add(() => guard.close());
  return { guard, sink, lines, reports, recorded };
}

function tokenFor(key: TestKey): string {
  return createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key })();
}

describe('K-9/#19: weak keys in a fetched set are skipped and reported', () => {
  it('ROCA, e = 3, small-order Ed25519, private, oct and enc members: each refused, named and counted', async () => {
    const good = generateTestKey('ES256', 'good');
    const roca = generateRocaKey('roca');
    const privateKey = generateTestKey('ES256', 'private');
    const published = [
      good.jwk,
      roca.jwk,
      { ...generateTestKey('RS256').jwk, kid: 'e3', e: 'Aw' },
      { ...generateTestKey('ES256').jwk, kid: 'enc', use: 'enc' },
      { ...privateKey.privateKey.export({ format: 'jwk' }), kid: 'private', alg: 'ES256' },
      { kty: 'oct', k: b64url(Buffer.alloc(32, 1)), kid: 'oct', alg: 'HS256' },
      smallOrderEd25519('ed-identity'),
    ];
    const { guard, sink, lines, reports, recorded } = await startGuard(published);
    await guard.ready();

    const expected = {
      roca: 'rsa-roca',
      e3: 'rsa-exponent',
      enc: 'not-for-verification',
      private: 'private-or-symmetric',
      oct: 'private-or-symmetric',
      'ed-identity': 'okp-point',
    };
    // The fetch report (what onFetch and every metrics recorder receive) names each refused member.
    expect(reports[0]?.keyCount).toBe(1);
    const refused = Object.fromEntries((reports[0]?.refusedKeys ?? []).map((key) => [key.kid, key.rule]));
    expect(refused).toEqual(expected);
    expect(recorded[0]?.refusedKeys).toEqual(reports[0]?.refusedKeys);

    await guard.flushAudit();
    // One audit record per refused member, valid against the published schema, never holding key material.
    const records = sink.records.filter((record): record is KeyRefusedEvent => record.type === 'key-refused');
    expect(Object.fromEntries(records.map((record) => [record.keyId, record.rule]))).toEqual(expected);
    for (const record of records) {
      expect(auditRecordSchema.safeParse(record).success).toBe(true);
      expect(record.issuer).toBe(ISSUER);
      expect(JSON.stringify(record)).not.toContain(roca.jwk.n as string);
    }
    // And a warn line in the application's log, naming issuer and kid.
    const warned = lines.map((line) => JSON.parse(line)).filter((line) => line.level === 40);
    const rocaLine = warned.find((line) => JSON.stringify(line).includes('"roca"'));
    expect(JSON.stringify(rocaLine)).toContain(ISSUER);
    expect(JSON.stringify(rocaLine)).toContain('ROCA');

    // Tokens under refused keys are refused, the sound key of the same set still verifies.
    expect((await guard.evaluate(bearer(tokenFor(good)))).outcome).toBe('allow');
    for (const key of [roca, privateKey]) {
      const decision = await guard.evaluate(bearer(tokenFor(key)));
      expect(decision.outcome === 'deny' && decision.code, key.kid).toBe('ERR_KEY_NOT_FOUND');
    }
  });

  it('K-8/#25: a set holding only refused keys is a failed fetch, and its members are still reported', async () => {
    const roca = generateRocaKey('only-roca');
    const { guard, reports } = await startGuard([roca.jwk]);
    await expect(guard.ready()).rejects.toThrow(/no usable verification key/);
    expect(reports[0]?.ok).toBe(false);
    expect(reports[0]?.refusedKeys).toEqual([
      { kid: 'only-roca', rule: 'rsa-roca', reason: 'RSA modulus has the ROCA fingerprint (CVE-2017-15361)' },
    ]);
    const decision = await guard.evaluate(bearer(tokenFor(roca)));
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_KEYS_UNAVAILABLE');
  });
});
