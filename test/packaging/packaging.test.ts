/**
 * The packages as users get them: every public package is packed into a tarball (`npm run pack`), checked
 * the way `npm publish` would see it, and installed with plain npm — no pnpm, no workspace — into scratch
 * apps outside the repository: Express ESM, Express CommonJS with `require()`, Koa, Fastify, Hono, a plain
 * fetch handler, and a strict
 * TypeScript consumer that compiles every package README's minimal example verbatim. Each app serves one
 * request with a real token against a real key server, and refuses one without.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll } from '../../scripts/pack.mjs';
import {
  createTokenIssuer,
  generateTestKey,
  type KeyServer,
  launchProcess,
  startKeyServer,
} from '../testkit/src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INSTALL_TIMEOUT = 240_000;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let scratch: string;
let tarballs: Map<string, string>;
let keys: KeyServer;
const key = generateTestKey('ES256');
const audience = 'https://api.packaging.test';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'nevertrust-packaging-'));
  tarballs = packAll(join(scratch, 'tarballs')) as Map<string, string>;
}, INSTALL_TIMEOUT);

afterAll(async () => {
  await keys?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Lines of `tar -tzf`, without the `package/` prefix npm puts every file under. */
function filesOf(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^package\//, ''));
}

function readFromTarball(tarball: string, file: string): string {
  return execFileSync('tar', ['-xzOf', tarball, `package/${file}`], { encoding: 'utf8' });
}

describe('tarballs', () => {
  it('every public package is packed', () => {
    expect([...tarballs.keys()].sort()).toEqual(
      expect.arrayContaining([
        '@nevertrust/core',
        '@nevertrust/express',
        '@nevertrust/fastify',
        '@nevertrust/koa',
        '@nevertrust/fetch',
        '@nevertrust/hono',
      ]),
    );
  });

  it('manifests are release-ready: no workspace ranges, metadata, exports with types first', () => {
    for (const [name, tarball] of tarballs) {
      const text = readFromTarball(tarball, 'package.json');
      expect(text, name).not.toContain('workspace:');
      const manifest = JSON.parse(text);
      for (const field of [
        'license',
        'repository',
        'homepage',
        'bugs',
        'keywords',
        'engines',
        'sideEffects',
      ]) {
        expect(manifest[field], `${name} ${field}`).toBeDefined();
      }
      for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
        if (typeof target === 'object' && target !== null) {
          expect(Object.keys(target)[0], `${name} exports["${entry}"]`).toBe('types');
        }
      }
    }
  });

  it('ship LICENSE and README, no tests, no build info, and source maps that stay inside the package', () => {
    for (const [name, tarball] of tarballs) {
      const files = filesOf(tarball);
      expect(files, name).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
      expect(
        files.filter((file) => /(^|\/)test\/|\.test\.|\.tsbuildinfo$/.test(file)),
        name,
      ).toEqual([]);
      for (const map of files.filter((file) => file.endsWith('.map'))) {
        const { sources } = JSON.parse(readFromTarball(tarball, map)) as { sources: string[] };
        for (const source of sources) {
          const resolved = normalize(join(dirname(map), source));
          expect(resolved.startsWith('..'), `${name} ${map} → ${source}`).toBe(false);
          expect(files, `${name} ${map} → ${source}`).toContain(resolved);
        }
      }
    }
  });

  // One npm process per package (a couple of seconds each): more than the default timeout allows.
  it('npm publish --dry-run sees exactly the packed files', () => {
    for (const [name, tarball] of tarballs) {
      const output = execFileSync(npm, ['publish', '--dry-run', '--json', tarball], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const report = JSON.parse(output) as Record<string, { files: { path: string }[] }>;
      const listed = (report[name]?.files ?? []).map((file) => file.path).sort();
      expect(listed, name).toEqual(filesOf(tarball).sort());
    }
  }, 90_000);
});

/** A scratch app outside the workspace: its own package.json, plain `npm install` of the tarballs. */
function installApp(name: string, nevertrust: readonly string[], registry: Record<string, string>): string {
  const dir = join(scratch, 'apps', name);
  mkdirSync(dir, { recursive: true });
  const local = Object.fromEntries(
    ['@nevertrust/core', ...nevertrust].map((pkg) => [pkg, `file:${tarballs.get(pkg)}`]),
  );
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name: `scratch-${name}`, private: true, dependencies: { ...local, ...registry } },
      null,
      2,
    ),
  );
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return dir;
}

const SERVER_OPTIONS = `{ issuers: [{ issuer: process.env.ISSUER, audience: process.env.AUDIENCE }] }`;

const APPS: Record<
  string,
  { nevertrust: string[]; registry: Record<string, string>; file: string; code: string }
> = {
  'express-esm': {
    nevertrust: ['@nevertrust/express'],
    registry: { express: '^5.1.0' },
    file: 'app.mjs',
    code: `import express from 'express';
import { getPrincipal, nevertrust, requireScopes } from '@nevertrust/express';
const app = express();
app.use(nevertrust(${SERVER_OPTIONS}));
app.get('/orders', requireScopes('orders:read'), (req, res) => res.json({ subject: getPrincipal(req).subject }));
const server = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));`,
  },
  'express-cjs': {
    nevertrust: ['@nevertrust/express'],
    registry: { express: '^5.1.0' },
    file: 'app.cjs',
    code: `const express = require('express');
const { getPrincipal, nevertrust, requireScopes } = require('@nevertrust/express');
const app = express();
app.use(nevertrust(${SERVER_OPTIONS}));
app.get('/orders', requireScopes('orders:read'), (req, res) => res.json({ subject: getPrincipal(req).subject }));
const server = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));`,
  },
  koa: {
    nevertrust: ['@nevertrust/koa'],
    registry: { koa: '^3.0.0', '@koa/router': '^15.0.0' },
    file: 'app.mjs',
    code: `import Router from '@koa/router';
import Koa from 'koa';
import { getPrincipal, nevertrust, requireScopes } from '@nevertrust/koa';
const app = new Koa();
app.use(nevertrust(${SERVER_OPTIONS}));
const router = new Router();
router.get('/orders', requireScopes('orders:read'), (ctx) => { ctx.body = { subject: getPrincipal(ctx).subject }; });
app.use(router.routes());
const server = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));`,
  },
  fastify: {
    nevertrust: ['@nevertrust/fastify'],
    registry: { fastify: '^5.0.0' },
    file: 'app.mjs',
    code: `import fastify from 'fastify';
import { getPrincipal, nevertrust, requireScopes } from '@nevertrust/fastify';
const app = fastify();
await app.register(nevertrust, ${SERVER_OPTIONS});
app.get('/orders', { config: { nevertrust: requireScopes('orders:read') } }, async (request) => ({ subject: getPrincipal(request).subject }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log('listening on ' + url);`,
  },
  hono: {
    nevertrust: ['@nevertrust/fetch', '@nevertrust/hono'],
    registry: { hono: '^4.8.0', '@hono/node-server': '^2.0.0' },
    file: 'app.mjs',
    code: `import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { getPrincipal, nevertrust, requireScopes } from '@nevertrust/hono';
const app = new Hono();
app.use(nevertrust(${SERVER_OPTIONS}));
app.get('/orders', requireScopes('orders:read'), (c) => c.json({ subject: getPrincipal(c).subject }));
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log('listening on http://127.0.0.1:' + info.port));`,
  },
  fetch: {
    nevertrust: ['@nevertrust/fetch'],
    registry: { '@hono/node-server': '^2.0.0' },
    file: 'app.mjs',
    code: `import { serve } from '@hono/node-server';
import { nevertrust, protectedHandler, requireScopes } from '@nevertrust/fetch';
const auth = nevertrust(${SERVER_OPTIONS});
const orders = protectedHandler(auth, requireScopes('orders:read'), (_request, principal) => Response.json({ subject: principal.subject }));
serve({ fetch: orders, port: 0, hostname: '127.0.0.1' }, (info) => console.log('listening on http://127.0.0.1:' + info.port));`,
  },
};

// A Jest test as an application would write it: the guard decides a token signed with node:crypto.
const JEST_TEST = `import { generateKeyPairSync, sign } from 'node:crypto';
import { createGuard, requireScopes } from '@nevertrust/express';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const input = part({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }) + '.' + part({
  iss: 'https://idp.test/', aud: 'https://api.test', sub: 'user-1', client_id: 'c', iat: now, exp: now + 60,
  jti: 'j1', scope: 'orders:read',
});
const token = input + '.' + sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
const guard = createGuard({ issuers: [{ issuer: 'https://idp.test/', audience: 'https://api.test', keys: [jwk] }], logger: false });
const facts = (authorization) => ({ method: 'GET', target: '/orders', headers: authorization ? { authorization: [authorization] } : {} });

test('a token with the scope is allowed, none is refused', async () => {
  expect((await guard.evaluate(facts('Bearer ' + token), requireScopes('orders:read'))).outcome).toBe('allow');
  expect((await guard.evaluate(facts(), requireScopes('orders:read'))).status).toBe(401);
});
afterAll(() => guard.close());
`;

describe('installed with plain npm into scratch apps', () => {
  beforeAll(async () => {
    keys = await startKeyServer({ keys: [key.jwk], https: false });
  });

  it.each(Object.keys(APPS))(
    '%s: one request allowed with a token, one refused without',
    async (name) => {
      const app = APPS[name] as (typeof APPS)[string];
      const dir = installApp(name, app.nevertrust, app.registry);
      writeFileSync(join(dir, app.file), app.code);
      const server = await launchProcess(process.execPath, [app.file], {
        cwd: dir,
        env: { ISSUER: keys.url, AUDIENCE: audience },
        ready: /listening on (\S+)/,
      });
      try {
        const token = createTokenIssuer({ issuer: keys.url, audience, key })({
          claims: { scope: 'orders:read' },
        });
        const allowed = await fetch(`${server.ready}/orders`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(allowed.status).toBe(200);
        expect(await allowed.json()).toEqual({ subject: 'user-1' });
        const refused = await fetch(`${server.ready}/orders`);
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      } finally {
        await server.stop();
      }
    },
    INSTALL_TIMEOUT,
  );

  it(
    'Jest in native ESM mode (the setup docs/getting-started.md describes) tests an app using the packages',
    () => {
      const dir = installApp('jest', ['@nevertrust/express'], { express: '^5.1.0', jest: '^30.0.0' });
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify(
          { ...manifest, type: 'module', jest: { transform: {}, testEnvironment: 'node' } },
          null,
          2,
        ),
      );
      writeFileSync(join(dir, 'guard.test.js'), JEST_TEST);
      const output = execFileSync(
        process.execPath,
        ['--experimental-vm-modules', join(dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'],
        {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NODE_NO_WARNINGS: '1' },
        },
      );
      expect(output).toBe('');
    },
    INSTALL_TIMEOUT,
  );

  it(
    'a strict TypeScript consumer compiles every package README minimal example verbatim',
    () => {
      const dir = installApp(
        'typescript',
        [...tarballs.keys()].filter((name) => name !== '@nevertrust/core'),
        {
          typescript: '5.9.3',
          '@types/node': '^20.19.0',
          '@types/express': '^5.0.0',
          '@types/koa': '^3.0.0',
          express: '^5.1.0',
          koa: '^3.0.0',
          fastify: '^5.0.0',
          hono: '^4.8.0',
          'prom-client': '^15.0.0',
          '@opentelemetry/api': '^1.9.0',
          ioredis: '^6.0.0',
        },
      );
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, type: 'module' }, null, 2));
      mkdirSync(join(dir, 'src'));
      let snippets = 0;
      for (const name of tarballs.keys()) {
        const readme = readFileSync(
          join(root, 'packages', name.replace('@nevertrust/', ''), 'README.md'),
          'utf8',
        );
        const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
        if (!example) continue;
        writeFileSync(join(dir, 'src', `${name.replace('@nevertrust/', '')}.ts`), `${example}export {};\n`);
        snippets += 1;
      }
      expect(snippets).toBeGreaterThanOrEqual(5);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            noEmit: true,
            types: ['node'],
            // As `tsc --init` writes it. Needed here: @types/koa 3.0.3 names an `Options` type that the
            // content-disposition 2 koa installs no longer exports — a conflict between those two packages.
            skipLibCheck: true,
          },
          include: ['src'],
        }),
      );
      const result = (() => {
        try {
          execFileSync(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: dir, encoding: 'utf8' });
          return '';
        } catch (error) {
          return String((error as { stdout?: string }).stdout ?? error);
        }
      })();
      expect(result).toBe('');
    },
    INSTALL_TIMEOUT,
  );
});
