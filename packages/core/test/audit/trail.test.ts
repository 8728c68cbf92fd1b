/**
 * The trail's shape: the versioned schema (zod and JSON Schema), correlation ids taken from the caller
 * only when well-formed (attack #43: no header can inject a line or a token into the trail), redaction
 * applied before any consumer, and monitoring options validated at start-up.
 */
import { describe, expect, it } from 'vitest';
import { generateCorrelationId } from '../../src/audit/correlation.js';
import { type AuditEvent, type AuditRecord, ConfigError, createCallbackSink } from '../../src/index.js';
import {
  AUDIT_SCHEMA,
  auditJsonSchema,
  auditRecordSchema,
  correlationIdOf,
  redactFields,
  traceIdOf,
} from '../../src/sinks.js';
import { collectingSink, monitoredGuard } from './helpers.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const facts = (headers: Record<string, string[]>) => ({ method: 'GET', target: '/', headers });

describe('correlation id', () => {
  it('takes the trace id of a valid traceparent, else a well-formed request id, else generates one', () => {
    expect(correlationIdOf(facts({ traceparent: [TRACEPARENT] }))).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(correlationIdOf(facts({ 'x-request-id': ['req-42'], traceparent: ['garbage'] }))).toBe('req-42');
    expect(correlationIdOf(facts({ 'x-correlation-id': ['abc:1/2'] }))).toBe('abc:1/2');
    expect(correlationIdOf(facts({}))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('generated ids are RFC 9562 UUIDv8: never repeated, with a random prefix per process', async () => {
    const ids = Array.from({ length: 10_000 }, () => generateCorrelationId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab]/);
    const prefix = (id: string) => id.slice(0, 24);
    expect(new Set(ids.map(prefix)).size).toBe(1);
    // Another process (another worker, or a restart) draws another prefix.
    const { execFileSync } = await import('node:child_process');
    const module = new URL('../../src/audit/correlation.ts', import.meta.url).href;
    const other = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(module)}).then((m) => console.log(m.generateCorrelationId()))`,
      ],
      { encoding: 'utf8' },
    ).trim();
    expect(other).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-0{11}1$/);
    expect(prefix(other)).not.toBe(prefix(ids[0] as string));
  });

  it('refuses injected, oversized, duplicated or invalid values (#43)', () => {
    const generated = /^[0-9a-f-]{36}$/;
    for (const value of ['a\r\nb', 'a b', '"quoted"', 'x'.repeat(129), '', 'é']) {
      expect(correlationIdOf(facts({ 'x-request-id': [value] }))).toMatch(generated);
    }
    expect(correlationIdOf(facts({ 'x-request-id': ['one', 'two'] }))).toMatch(generated);
    expect(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdOf('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdOf('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeUndefined();
  });

  it('reaches the audit event, and the header list is configurable', async () => {
    const events: AuditEvent[] = [];
    const { call } = monitoredGuard({
      onAudit: (event) => events.push(event),
      audit: { correlationHeaders: ['x-amzn-trace-id'] },
    });
    await call(undefined, { headers: { 'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678' } });
    await call(undefined, { headers: { traceparent: TRACEPARENT } });
    expect(events[0]?.correlationId).toBe('Root=1-67891233-abcdef012345678912345678');
    expect(events[1]?.correlationId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

describe('schema', () => {
  it('is versioned and exported as JSON Schema with its record types', () => {
    const schema = auditJsonSchema();
    expect(schema.title).toBe(AUDIT_SCHEMA);
    expect(schema.$id).toBe('https://nevertrust.dev/schemas/nevertrust.audit/1.json');
    const variants = (schema.oneOf as { properties: { type: { const: string } } }[]).map(
      (variant) => variant.properties.type.const,
    );
    expect(variants.sort()).toEqual(['decision', 'detection', 'gap', 'key', 'key-refused', 'signal']);
  });

  it('rejects records of another version or with a malformed fingerprint', async () => {
    const events: AuditEvent[] = [];
    const { call, mint } = monitoredGuard({ onAudit: (event) => events.push(event) });
    await call(mint());
    const event = events[0] as AuditEvent;
    expect(auditRecordSchema.safeParse(event).success).toBe(true);
    expect(auditRecordSchema.safeParse({ ...event, schema: 'nevertrust.audit/2' }).success).toBe(false);
    expect(
      auditRecordSchema.safeParse({ ...event, tokenFingerprint: 'eyJhbGciOiJFUzI1NiJ9.eyJ' }).success,
    ).toBe(false);
    // Later additions within /1 are accepted (forward compatible readers).
    expect(auditRecordSchema.safeParse({ ...event, addedLater: 1 }).success).toBe(true);
  });
});

describe('redaction', () => {
  it('drops, hashes and masks fields before onAudit and every sink', async () => {
    const sink = collectingSink();
    const events: AuditEvent[] = [];
    const { guard, mint, call } = monitoredGuard({
      onAudit: (event) => events.push(event),
      audit: {
        sinks: [sink],
        redact: redactFields(
          { subject: 'hash', remoteAddress: 'mask', clientId: 'drop', grantedScopes: 'drop' },
          { salt: 's' },
        ),
      },
    });
    const decision = await call(mint({ sub: 'alice', scope: 'a b' }), { remoteAddress: '203.0.113.77' });
    await call(mint({ sub: 'alice' }), { remoteAddress: '2001:db8:1:2:3::9' });
    await guard.flushAudit();
    const [first, second] = sink.records as [AuditEvent, AuditEvent];
    expect(first.subject).toMatch(/^h:[A-Za-z0-9_-]{16}$/);
    expect(second.subject).toBe(first.subject);
    expect(first.remoteAddress).toBe('203.0.113.0');
    expect(second.remoteAddress).toBe('2001:db8:1::');
    expect('clientId' in first).toBe(false);
    expect('grantedScopes' in first).toBe(false);
    expect(events[0]).toEqual(first);
    // The decision handed back to the adapter keeps the real principal.
    expect(decision.outcome === 'allow' && decision.principal?.subject).toBe('alice');
    expect(decision.audit.subject).toBe('alice');
  });

  it('a redactor that returns undefined drops the record; one that throws leaves only non-identifying fields', async () => {
    const kept: AuditRecord[] = [];
    const dropping = monitoredGuard({
      audit: { sinks: [createCallbackSink((record) => void kept.push(record))], redact: () => undefined },
    });
    await dropping.call(dropping.mint());
    await dropping.guard.flushAudit();
    expect(kept).toEqual([]);
    const sink = collectingSink();
    const throwing = monitoredGuard({
      audit: {
        sinks: [sink],
        redact: () => {
          throw new Error('bug in redactor');
        },
      },
    });
    await throwing.call(throwing.mint({ sub: 'bob' }), {
      remoteAddress: '203.0.113.5',
      target: '/users/bob',
    });
    await throwing.guard.flushAudit();
    const record = sink.records[0] as AuditEvent;
    expect(record).toMatchObject({ type: 'decision', outcome: 'allow', reason: 'OK', path: '[redacted]' });
    const text = JSON.stringify(record);
    for (const secret of ['bob', '203.0.113.5', 'client-1', 'idp.monitoring.test'])
      expect(text).not.toContain(secret);
  });
});

describe('monitoring options', () => {
  it('fail at start-up with ConfigError naming each bad option', () => {
    try {
      monitoredGuard({
        audit: { sinks: [{ name: 'x' } as never], queueSize: 0, correlationHeaders: ['X-Request-Id'] },
        detectors: { authFailureBurst: { threshold: 0 }, tokenSpread: 'yes' as never },
        counterStore: {} as never,
        tracing: {} as never,
      });
      expect.fail('expected ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const path of [
        'audit.sinks[0]',
        'audit.queueSize',
        'audit.correlationHeaders[0]',
        'detectors.authFailureBurst',
        'detectors.tokenSpread',
        'counterStore',
        'tracing',
      ]) {
        expect(problems).toContain(path);
      }
    }
  });

  it('the removed openTelemetry option fails at start-up naming the package it moved to', () => {
    for (const value of [false, {}, { tracing: false }]) {
      let problems: readonly string[] = [];
      try {
        monitoredGuard({ openTelemetry: value } as never);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        problems = (error as ConfigError).problems;
      }
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^openTelemetry: moved to @nevertrust\/opentelemetry: /);
    }
  });

  it('evaluate never rejects, even on facts that are not facts', async () => {
    const { guard } = monitoredGuard({
      detectors: { authFailureBurst: true },
      rateLimits: [{ by: 'peer', limit: 1, windowSeconds: 1 }],
    });
    const decision = await guard.evaluate(null as never);
    expect(decision.outcome === 'deny' && decision.code).toBe('ERR_INTERNAL');
  });
});
