/**
 * One API instance in a process of its own (forked by `many-processes.test.ts`): the fleet app on one
 * framework, its own ioredis client, the Redis revocation, counter and DPoP replay stores, listening on a
 * free port on 127.0.0.1. It reports its port over IPC and answers the parent's requests: revoke a `jti`
 * (as an admin endpoint of that instance would), and report how many requests its handler ran and the
 * health of its stores. It exits when the parent asks or goes away, so no instance outlives the test.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, requireScopes } from '@nevertrust/core';
import {
  createRedisCounterStore,
  createRedisDpopReplayStore,
  createRedisRevocationStore,
  REDIS_CLIENT_OPTIONS,
} from '@nevertrust/redis';
import { Redis } from 'ioredis';
import type { Framework } from './apps.js';
import { fleetApp } from './fleet-app.js';

/** What the parent passes as the first argument (JSON). */
export interface FleetProcessConfig {
  readonly framework: Framework;
  readonly redisPort: number;
  readonly prefix: string;
  readonly issuer: string;
  readonly audience: string;
  /** The issuer's public JWK. */
  readonly jwk: Record<string, unknown>;
  readonly dpopOrigin: string;
  /** Per-principal requests allowed in 30 s. */
  readonly limit: number;
}

/** A request of the parent; the answer carries the same `id`. */
export type FleetRequest =
  | { readonly id: number; readonly type: 'revoke'; readonly tokenId: string }
  | { readonly id: number; readonly type: 'stats' }
  | { readonly id: number; readonly type: 'exit' };

const config = JSON.parse(process.argv[2] ?? '{}') as FleetProcessConfig;
const { prefix, issuer } = config;
const client = new Redis({
  host: '127.0.0.1',
  port: config.redisPort,
  ...REDIS_CLIENT_OPTIONS,
  // Three processes and the test share two loaded cores: more room than the default 500 ms before a
  // command counts as a fault (the fault test kills Redis, which no timeout hides).
  commandTimeout: 2000,
  // Reconnect quickly once Redis is back (the test restarts it).
  retryStrategy: () => 50,
});
// The default bound (1 s): three processes and the test on two loaded cores can stall an event loop for
// longer than the tighter 300 ms of the in-process tests, which would make a healthy copy look stale.
const timing = { heartbeatMs: 100, staleAfterMs: 1000 };
const revocations = createRedisRevocationStore({ client, prefix, ...timing });
const counters = createRedisCounterStore({ client, prefix, ...timing });
const replay = createRedisDpopReplayStore({ client, prefix });
const guard = createGuard({
  issuers: [{ issuer, audience: config.audience, keys: [config.jwk] }],
  policy: { routes: [{ method: 'GET', path: '/api/orders', requirement: requireScopes('orders:read') }] },
  revocation: { store: revocations },
  counterStore: counters,
  rateLimits: [{ by: 'principal', limit: config.limit, windowSeconds: 30 }],
  dpop: { origin: config.dpopOrigin, replay: { store: replay } },
});
const state = { ran: 0 };
const app = await fleetApp(config.framework, guard, state);
const server = createServer(app.handler);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

async function shutdown(): Promise<never> {
  await app.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await guard.close();
  await Promise.all([revocations.close(), counters.close()]);
  client.disconnect();
  process.exit(0);
}

async function answer(request: FleetRequest): Promise<Record<string, unknown>> {
  switch (request.type) {
    case 'revoke': {
      const started = performance.now();
      await guard.revocation.revokeToken({ issuer, tokenId: request.tokenId });
      return { ms: performance.now() - started };
    }
    case 'stats':
      return { ran: state.ran, ready: revocations.health().ready && counters.health().ready };
    default:
      return shutdown();
  }
}

process.on('message', (request: FleetRequest) => {
  answer(request).then(
    (reply) => process.send?.({ ...reply, id: request.id }),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
  );
});
process.on('disconnect', () => void shutdown());
process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
