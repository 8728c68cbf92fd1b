/**
 * Starts the example orders API on the chosen framework, protected by nevertrust, on 127.0.0.1 with a free
 * port. Each framework's module is loaded only when chosen.
 */
import type { GuardOptions } from '@nevertrust/core';

/** The frameworks the demo can run on. */
export const FRAMEWORKS = ['express', 'koa', 'fastify'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** A running example API. */
export interface RunningApi {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the API.
 *
 * @example
 * ```ts
 * const api = await startApi('express', { issuers: [{ issuer, audience }] });
 * ```
 */
export async function startApi(framework: Framework, options: GuardOptions): Promise<RunningApi> {
  switch (framework) {
    case 'express':
      return (await import('./express.js')).startExpressApi(options);
    case 'koa':
      return (await import('./koa.js')).startKoaApi(options);
    case 'fastify':
      return (await import('./fastify.js')).startFastifyApi(options);
  }
}
