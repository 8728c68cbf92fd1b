/**
 * The demo, run as a newcomer runs it (non-interactive), on each framework: it must finish, exit 0, and
 * never print a token. Its pass/fail logic is checked on its own: a step that does not behave as
 * expected must fail the tour.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OidcTestProvider, ORDERS_API, startOidcProvider, testTls } from '@nevertrust/testkit';
import { describe, expect, it } from 'vitest';
import { startApi } from '../src/api/index.js';
import { createAuditTrail } from '../src/audit-trail.js';
import { parseArguments } from '../src/cli.js';
import { runDemo } from '../src/demo.js';
import { createOutput } from '../src/output.js';
import { runTour } from '../src/run-tour.js';
import { INTROSPECTION_STEPS, PROVIDER_FIXTURES } from '../src/steps/introspection.js';
import { MANY_INSTANCE_STEPS } from '../src/steps/many-instances.js';
import { TOUR, type TourStep } from '../src/tour.js';
import { createTourContext } from '../src/tour-context.js';
import { runTwoInstances } from '../src/two-instances.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

function runDemoProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions',
        'nevertrust-source',
        '--import',
        'tsx',
        join(root, 'examples/demo/src/main.ts'),
        ...args,
      ],
      { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.concurrent('npm run demo', () => {
  it('runs as a newcomer runs it (a child process, express), passes every step and prints no token', {
    timeout: 100_000,
  }, async () => {
    const { code, output } = await runDemoProcess([]);
    expect(output).toContain('(API on express)');
    expect(output).toContain(`all ${TOUR.length} steps behaved as expected`);
    expect(code, output).toBe(0);
    expect(output).toContain('Audit trail:');
    expect(output).toMatch(/detection\s+auth-failure-burst \(block\)\s+1/);
    expect(output).toContain('/metrics');
    expect(output).not.toMatch(JWT);
    // The opaque token: introspected and allowed, refused after the provider revoked it, never printed.
    expect(output).toMatch(/Bearer \(opaque\) sha256:[\w-]{16}/);
    expect(output).toContain('deny ERR_TOKEN_INACTIVE');
  });

  it('--instances 2: a token revoked through instance A is refused by instance B, on one redis-server it starts and stops', {
    timeout: 60_000,
  }, async () => {
    const { code, output } = await runDemoProcess(['--instances', '2']);
    expect(output).toContain('two instances of the API (express) sharing one Redis');
    expect(output).toMatch(
      /starting redis-server on a free port \(no persistence\) … redis:\/\/127\.0\.0\.1:\d+/,
    );
    expect(output).toMatch(
      /Revoked on instance A, presented to instance B[\s\S]*→ GET \/orders to instance B[\s\S]*← 401 {2}deny ERR_TOKEN_REVOKED/,
    );
    expect(output).toContain(`all ${MANY_INSTANCE_STEPS.length} steps behaved as expected`);
    expect(code, output).toBe(0);
    expect(output).not.toMatch(JWT);
  });

  it('--instances 2 without redis-server says so and how to get it, and fails', {
    timeout: 30_000,
  }, async () => {
    // No directory on PATH holds redis-server (node itself is started by its absolute path).
    const { code, output } = await runDemoProcess(['--instances', '2'], { PATH: '/nonexistent' });
    expect(output).toContain('--instances 2 needs redis-server, which is not installed on this machine');
    expect(output).toContain('`npm run demo` installs it');
    expect(code).toBe(1);
  });

  it('--instances 2 on koa, in process', { timeout: 60_000 }, async () => {
    let printed = '';
    const out = createOutput({ write: (text) => (printed += text), color: false });
    const code = await runTwoInstances({ framework: 'koa', serve: false, help: false, instances: 2 }, out);
    expect(printed).toContain(`all ${MANY_INSTANCE_STEPS.length} steps behaved as expected`);
    expect(code, printed).toBe(0);
  });

  for (const framework of ['koa', 'fastify', 'hono', 'nestjs'] as const) {
    it(`passes every step on ${framework}`, { timeout: 60_000 }, async () => {
      let printed = '';
      const out = createOutput({ write: (text) => (printed += text), color: false });
      const code = await runDemo({ framework, serve: false, help: false, instances: 1 }, out);
      expect(printed).toContain(`all ${TOUR.length} steps behaved as expected`);
      expect(code, printed).toBe(0);
      expect(printed).not.toMatch(JWT);
    });
  }
});

describe('the docs', () => {
  it('give the number of steps the tour has', () => {
    for (const file of ['examples/demo/README.md', 'docs/getting-started.md']) {
      const counts = [...readFileSync(join(root, file), 'utf8').matchAll(/(\d+) steps/g)].map(([, count]) =>
        Number(count),
      );
      expect(counts.length, file).toBeGreaterThan(0);
      for (const count of counts) expect(count, file).toBe(TOUR.length);
    }
  });
});

describe('the command line', () => {
  it('takes --framework in both forms, and refuses unknown frameworks and arguments', () => {
    expect(parseArguments(['--framework', 'koa']).framework).toBe('koa');
    expect(parseArguments(['--framework=fastify', '--serve'])).toEqual({
      framework: 'fastify',
      serve: true,
      help: false,
      instances: 1,
    });
    expect(parseArguments(['--instances', '2']).instances).toBe(2);
    expect(parseArguments(['--instances=1']).instances).toBe(1);
    expect(() => parseArguments(['--instances', '3'])).toThrow(/--instances expects 1 or 2, got "3"/);
    expect(() => parseArguments(['--instances'])).toThrow(/--instances expects 1 or 2/);
    expect(() => parseArguments(['--serve', '--instances', '2'])).toThrow(/cannot be combined/);
    expect(parseArguments([]).framework).toBe('express');
    expect(() => parseArguments(['--framework', 'hapi'])).toThrow(
      /expects one of express, koa, fastify, hono, nestjs/,
    );
    expect(() => parseArguments(['--framework'])).toThrow(/expects one of/);
    expect(() => parseArguments(['--fast'])).toThrow(/unknown argument/);
  });
});

/**
 * Runs `steps` against an API on express trusting `idp` (no introspection, no signal endpoints), with a
 * tour context as the demo builds it.
 */
async function runAgainstPlainApi(
  idp: OidcTestProvider,
  rogue: OidcTestProvider,
  steps: readonly TourStep[],
) {
  const tls = await testTls();
  const trail = createAuditTrail();
  const api = await startApi(
    'express',
    () => ({ issuers: [{ issuer: idp.issuer, audience: ORDERS_API }], onAudit: trail.listener }),
    { key: tls.serverKey, cert: tls.serverCert },
  );
  try {
    const context = createTourContext({
      idp,
      rogue,
      api: { url: api.url, tlsUrl: api.tlsUrl, ca: tls.ca },
      tls,
      clockToleranceSeconds: 5,
      trail,
      revocation: api.guard.revocation,
      say: () => undefined,
    });
    return await runTour(steps, context, trail, { started: () => undefined, finished: () => undefined });
  } finally {
    await api.close();
  }
}

describe('the tour verdict', () => {
  it('fails a step whose response or own check differs from what it expects', {
    timeout: 30_000,
  }, async () => {
    const [idp, rogue] = await Promise.all([startOidcProvider(), startOidcProvider()]);
    try {
      const wrong: TourStep = {
        title: 'expects the impossible',
        why: 'a request without a token cannot be allowed',
        request: async () => ({ method: 'GET', path: '/orders' }),
        expect: { status: 200, reason: 'OK' },
      };
      const checkFails: TourStep = {
        title: 'right status, failing check',
        why: 'a step whose own check fails must fail even when status and reason match',
        request: async () => ({ method: 'GET', path: '/health' }),
        check: async () => ({ failure: 'the check says no' }),
        expect: { status: 200, reason: 'OK' },
      };
      const [result, checked] = await runAgainstPlainApi(idp, rogue, [wrong, checkFails]);
      expect(result?.passed).toBe(false);
      expect(result?.status).toBe(401);
      expect(result?.event?.reason).toBe('ERR_NO_CREDENTIALS');
      expect(checked?.status).toBe(200);
      expect(checked?.event?.reason).toBe('OK');
      expect(checked?.failure).toBe('the check says no');
      expect(checked?.passed).toBe(false);
    } finally {
      await Promise.all([idp.close(), rogue.close()]);
    }
  });

  it('fails the introspection steps against an API that does not introspect', {
    timeout: 30_000,
  }, async () => {
    const idp = await startOidcProvider(PROVIDER_FIXTURES);
    try {
      const [introspected] = await runAgainstPlainApi(idp, idp, INTROSPECTION_STEPS.slice(0, 1));
      // Without introspection the opaque token is malformed to the guard: the step must not pass.
      expect(introspected?.status).toBe(401);
      expect(introspected?.passed).toBe(false);
      expect(idp.requests('/token/introspection')).toBe(0);
    } finally {
      await idp.close();
    }
  });
});
