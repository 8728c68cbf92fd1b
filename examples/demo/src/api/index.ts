/**
 * Starts the example orders API on the chosen framework, protected by nevertrust, on 127.0.0.1 with a free
 * port. The guard and its Prometheus metrics are made here, once, so that the three versions differ only in
 * how nevertrust is plugged in. Each framework's module is loaded only when chosen.
 */
import { createGuard, type Guard, type GuardOptions } from '@nevertrust/core';
import { createPrometheusMetrics } from '@nevertrust/prometheus';
import type { Registry } from 'prom-client';

/** The frameworks the demo can run on. */
export const FRAMEWORKS = ['express', 'koa', 'fastify'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** What a framework's version of the API is built from. */
export interface ApiParts {
  readonly guard: Guard;
  /** The registry `GET /metrics` exposes. */
  readonly metrics: Registry;
}

/** A listening server of one framework. */
export interface ListeningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** A running example API. */
export interface RunningApi {
  readonly url: string;
  /**
   * The API's guard, for the demo process's own admin actions (revocation). Deliberately not reachable over
   * HTTP: an unauthenticated revocation endpoint would be a denial-of-service switch.
   */
  readonly guard: Guard;
  close(): Promise<void>;
}

async function listen(framework: Framework, parts: ApiParts): Promise<ListeningServer> {
  switch (framework) {
    case 'express':
      return (await import('./express.js')).startExpressApi(parts);
    case 'koa':
      return (await import('./koa.js')).startKoaApi(parts);
    case 'fastify':
      return (await import('./fastify.js')).startFastifyApi(parts);
  }
}

/**
 * Starts the API; its guard loads the issuer's keys before the port opens.
 *
 * @example
 * ```ts
 * const api = await startApi('express', { issuers: [{ issuer, audience }] });
 * ```
 */
export async function startApi(framework: Framework, options: GuardOptions): Promise<RunningApi> {
  const metrics = createPrometheusMetrics();
  const guard = createGuard({ ...options, metrics: [...(options.metrics ?? []), metrics] });
  try {
    await guard.ready();
    const server = await listen(framework, { guard, metrics: metrics.registry });
    return {
      url: server.url,
      guard,
      async close() {
        await server.close();
        await guard.close();
      },
    };
  } catch (error) {
    await guard.close();
    throw error;
  }
}
