/**
 * Starts the example orders API on the chosen framework, protected by nevertrust, on 127.0.0.1 with free
 * ports: plain HTTP, and HTTPS with client certificates requested (see `listeners.ts`). The guard and its
 * Prometheus metrics are made here, once, so that the three versions differ only in how nevertrust is
 * plugged in. Each framework's module is loaded only when chosen.
 */
import type { RequestListener } from 'node:http';
import { createGuard, type Guard, type GuardOptions } from '@nevertrust/core';
import { createPrometheusMetrics } from '@nevertrust/prometheus';
import type { Registry } from 'prom-client';
import { openListeners, type ServerTls } from './listeners.js';

export type { ServerTls } from './listeners.js';

/** The frameworks the demo can run on. */
export const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono', 'nestjs'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** What a framework's version of the API is built from. */
export interface ApiParts {
  readonly guard: Guard;
  /** The registry `GET /metrics` exposes. */
  readonly metrics: Registry;
}

/** One framework's app, as a Node request listener both of the API's listeners route to. */
export interface ApiApp {
  readonly handle: RequestListener;
  close(): Promise<void>;
}

/** Where the API listens: the guard's DPoP `origin` must name these. */
export interface ApiUrls {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `https://127.0.0.1:<port>`, asking every client for a certificate. */
  readonly tlsUrl: string;
}

/** A running example API. */
export interface RunningApi extends ApiUrls {
  /**
   * The API's guard, for the demo process's own admin actions (revocation). Deliberately not reachable over
   * HTTP: an unauthenticated revocation endpoint would be a denial-of-service switch.
   */
  readonly guard: Guard;
  close(): Promise<void>;
}

async function build(framework: Framework, parts: ApiParts): Promise<ApiApp> {
  switch (framework) {
    case 'express':
      return (await import('./express.js')).startExpressApi(parts);
    case 'koa':
      return (await import('./koa.js')).startKoaApi(parts);
    case 'fastify':
      return (await import('./fastify.js')).startFastifyApi(parts);
    case 'hono':
      return (await import('./hono.js')).startHonoApi(parts);
    case 'nestjs':
      return (await import('./nestjs.js')).startNestApi(parts);
  }
}

/**
 * Starts the API: the listeners open first (their URLs go into the guard's options), then the guard loads
 * the issuer's keys, then the app is attached.
 *
 * @example
 * ```ts
 * const api = await startApi('express', ({ url }) => ({ issuers, dpop: { origin: url } }), serverTls);
 * ```
 */
export async function startApi(
  framework: Framework,
  options: (urls: ApiUrls) => GuardOptions,
  tls: ServerTls,
): Promise<RunningApi> {
  const listeners = await openListeners(tls);
  const { url, tlsUrl } = listeners;
  const metrics = createPrometheusMetrics();
  const configured = options({ url, tlsUrl });
  let guard: Guard | undefined;
  let app: ApiApp | undefined;
  const close = async () => {
    await listeners.close();
    await app?.close();
    await guard?.close();
  };
  try {
    guard = createGuard({ ...configured, metrics: [...(configured.metrics ?? []), metrics] });
    await guard.ready();
    app = await build(framework, { guard, metrics: metrics.registry });
    listeners.attach(app.handle);
    return { url, tlsUrl, guard, close };
  } catch (error) {
    await close();
    throw error;
  }
}
