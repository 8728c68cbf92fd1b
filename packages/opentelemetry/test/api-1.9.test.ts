/**
 * An application on `@opentelemetry/api` 1.9 with SDK 2 — the versions the peer range must accept, and
 * the ones that hit ERESOLVE or a second, silent API copy when the core depended on API 1.10 itself. A
 * separate Node process in which every importer's `@opentelemetry/api` is 1.9.0 (one copy): the spans go
 * to the SDK 2 tracer provider passed in and are linked from the audit record, the decisions are counted
 * by the SDK 2 meter provider, and the log sink, given no logger on an API without a logs API, is a
 * ConfigError naming the option.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/api-1.9/${name}`, import.meta.url));

describe('@opentelemetry/api 1.9 with SDK 2', () => {
  it('spans, metrics and log records reach the providers passed in, on the one API copy', async () => {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=nevertrust-source',
        '--require',
        fixture('redirect.cjs'),
        '--import',
        tsx,
        fixture('consumer.ts'),
      ],
      { env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toEqual({
      apiVersion: '1.9.0',
      apiCopies: ['1.9.0'],
      outcome: 'allow',
      spans: ['nevertrust.evaluate'],
      linked: true,
      globalTracer: false,
      decisions: 1,
      emitted: ['nevertrust.audit.decision'],
      logSinkWithoutProvider:
        'loggerProvider: expected a LoggerProvider (this @opentelemetry/api has no global logs API before 1.10)',
    });
  }, 40_000);
});
