/**
 * `npm run demo -- --instances 2`: two instances of the orders API, each with its own Redis connection,
 * sharing one redis-server (started here on a free port without persistence, stopped at the end) through
 * `@nevertrust/redis`, and the steps of `steps/many-instances.ts`: a token revoked through one instance is
 * refused by the other on its next request.
 */
import type { Guard } from '@nevertrust/core';
import {
  createRedisRevocationStore,
  REDIS_CLIENT_OPTIONS,
  type RedisRevocationStore,
} from '@nevertrust/redis';
import {
  type OidcTestProvider,
  ORDERS_API,
  type RedisServer,
  redisServerBinary,
  startOidcProvider,
  startRedisServer,
  testTls,
} from '@nevertrust/testkit';
import { Redis } from 'ioredis';
import { type RunningApi, startApi } from './api/index.js';
import { createAuditTrail } from './audit-trail.js';
import type { DemoOptions } from './cli.js';
import type { Output } from './output.js';
import { runTour } from './run-tour.js';
import { MANY_INSTANCE_STEPS } from './steps/many-instances.js';
import { createTourContext } from './tour-context.js';

const PREFIX = 'orders-demo';

/** Waits until the instance's copy of the revocation list is live, for at most 10 s. */
async function live(store: RedisRevocationStore): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!store.health().ready) {
    if (Date.now() > deadline) throw new Error('the revocation store did not become live within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Says clearly why the mode cannot run when redis-server is missing (`npm run demo` installs it). */
function redisMissing(out: Output): string | undefined {
  try {
    redisServerBinary();
    return undefined;
  } catch {
    out.line('✗ --instances 2 needs redis-server, which is not installed on this machine.');
    out.line(
      '  `npm run demo` installs it (apt-get install -y redis-server); or install it yourself and run again.',
    );
    return 'redis-server missing';
  }
}

/**
 * Runs the two-instance demo; resolves to the exit code: 0 when every step behaved as expected.
 *
 * @example
 * ```ts
 * process.exitCode = await runTwoInstances({ framework: 'koa', serve: false, help: false, instances: 2 }, out);
 * ```
 */
export async function runTwoInstances(options: DemoOptions, out: Output): Promise<number> {
  const running: { close(): Promise<void> }[] = [];
  try {
    out.line(`nevertrust demo: two instances of the API (${options.framework}) sharing one Redis`);
    out.line();
    if (redisMissing(out)) return 1;
    let done = out.progress('starting redis-server on a free port (no persistence)');
    const redis: RedisServer = await startRedisServer();
    running.push({ close: () => redis.stop() });
    done(redis.url);
    const tls = await testTls();
    done = out.progress('starting the OpenID Connect provider (oidc-provider, fresh RS256 key)');
    const idp: OidcTestProvider = await startOidcProvider();
    running.push(idp);
    done(idp.issuer);
    const trail = createAuditTrail();
    const instances: { api: RunningApi; guard: Guard }[] = [];
    for (const name of ['A', 'B']) {
      done = out.progress(`starting instance ${name} of the orders API on ${options.framework}`);
      // Each instance its own connection, as separate processes or hosts would have.
      const client = new Redis({ host: '127.0.0.1', port: redis.port, ...REDIS_CLIENT_OPTIONS });
      // awaitBound: a revocation returns only once every instance refuses the token (within one second).
      const revocations = createRedisRevocationStore({ client, prefix: PREFIX, awaitBound: true });
      running.push({
        close: async () => {
          await revocations.close();
          client.disconnect();
        },
      });
      const api = await startApi(
        options.framework,
        () => ({
          issuers: [{ issuer: idp.issuer, audience: ORDERS_API }],
          realm: 'orders',
          onAudit: trail.listener,
          revocation: { store: revocations },
        }),
        { key: tls.serverKey, cert: tls.serverCert },
      );
      running.push(api);
      await live(revocations);
      instances.push({ api, guard: api.guard });
      done(`${api.url}, revocation list shared under the prefix "${PREFIX}"`);
    }
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const context = createTourContext({
      idp,
      // No step of this mode uses an untrusted provider.
      rogue: idp,
      api: { url: a.api.url, tlsUrl: a.api.tlsUrl, ca: tls.ca, instances: [a.api.url, b.api.url] },
      tls,
      clockToleranceSeconds: 5,
      trail,
      revocation: a.guard.revocation,
      say: out.note,
    });
    const results = await runTour(MANY_INSTANCE_STEPS, context, trail, out);
    out.summary(trail.summary(), trail.events.length);
    out.verdict(results);
    return results.every((result) => result.passed) ? 0 : 1;
  } finally {
    await Promise.allSettled(running.reverse().map((server) => server.close()));
  }
}
