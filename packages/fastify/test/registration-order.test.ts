/**
 * Deny by default whatever the registration order: Fastify binds application-level hooks to every route
 * when it starts, so routes registered before the plugin (or after a `register` that was not awaited) are
 * decided like any other; the plugin says at start-up which ones it could not read, and the coverage
 * report lists them.
 */
import { formatCoverage } from '@nevertrust/core';
import fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { coverage, nevertrust } from '../src/index.js';
import { settled, setup } from './support.js';

describe('registration order', () => {
  it('a route registered before the plugin, or before it loaded, is refused without a token', async () => {
    const { options, bearer, audit } = setup();
    const warnings: string[] = [];
    const app = fastify({
      logger: {
        level: 'warn',
        stream: { write: (line: string) => warnings.push(JSON.parse(line).msg as string) },
      },
    });
    let ran = 0;
    const handler = async () => {
      ran += 1;
      return { ran };
    };
    app.get('/early', handler);
    app.register(async (child) => {
      child.get('/early-scope', handler);
    });
    // Not awaited: the route below is registered before the plugin has loaded.
    app.register(nevertrust, options);
    app.get('/unawaited', handler);
    await app.after();
    app.get('/late', handler);
    try {
      await app.ready();
      for (const url of ['/early', '/early-scope', '/unawaited', '/late']) {
        expect((await app.inject({ url })).statusCode, url).toBe(401);
      }
      expect(ran).toBe(0);
      expect((await app.inject({ url: '/early', headers: bearer() })).statusCode).toBe(200);
      await settled(audit, 5);
      expect(audit.map((event) => [event.path, event.status, event.outcome])).toEqual([
        ['/early', 401, 'deny'],
        ['/early-scope', 401, 'deny'],
        ['/unawaited', 401, 'deny'],
        ['/late', 401, 'deny'],
        ['/early', 200, 'allow'],
      ]);
      const warning = warnings.find((line) => line.includes('registered before @nevertrust/fastify'));
      expect(warning).toContain('GET /early');
      expect(warning).toContain('GET /early-scope');
      expect(warning).toContain('GET /unawaited');
      expect(warning).not.toContain('GET /late');
      const rows = coverage(app).rows.map(
        (row) => `${row.kind} ${row.method} ${row.path}: ${row.undeclared}`,
      );
      expect(rows).toEqual([
        'fallback * /*: authenticated by default',
        'route GET /early: authenticated by default, hooks unread: registered before nevertrust',
        'route GET /early-scope: authenticated by default, hooks unread: registered before nevertrust',
        'route GET /late: authenticated by default',
        'route GET /unawaited: authenticated by default, hooks unread: registered before nevertrust',
      ]);
      expect(formatCoverage(coverage(app))).toContain('4 routes and 1 other handler');
    } finally {
      await app.close();
    }
  });
});

describe('an encapsulation context the plugin does not cover', () => {
  it('registered in a child scope, a route outside that scope stops start-up, named', async () => {
    const { options } = setup();
    const app = fastify();
    app.get('/outside', async () => ({ open: true }));
    await app.register(async (child) => {
      await child.register(nevertrust, options);
      child.get('/inside', async () => ({ covered: true }));
    });
    app.get('/sibling', async () => ({ open: true }));
    try {
      await expect(app.ready()).rejects.toMatchObject({
        code: 'ERR_CONFIG',
        problems: expect.arrayContaining([
          expect.stringMatching(/^GET \/outside: not covered by @nevertrust\/fastify/),
          expect.stringMatching(/^GET \/sibling: not covered by @nevertrust\/fastify/),
        ]),
      });
    } finally {
      await app.close().catch(() => {});
    }
  });

  it('registered in a child scope that holds every route, the application starts', async () => {
    const { options } = setup();
    const app = fastify();
    await app.register(async (child) => {
      await child.register(nevertrust, options);
      child.get('/inside', async () => ({ covered: true }));
    });
    try {
      await app.ready();
      expect((await app.inject({ url: '/inside' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
