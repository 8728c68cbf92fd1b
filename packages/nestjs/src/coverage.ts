/**
 * The coverage report of a Nest application: every route the platform's router holds (Nest's controller
 * routes and anything registered on the platform directly), with the requirement that covers it.
 */
import type { CoverageReport } from '@nevertrust/core';
import { NevertrustInstallation } from './installation.js';

/** What `coverage` needs of a Nest application. */
export interface NestApplicationLike {
  get<T>(token: abstract new (...args: never[]) => T): T;
}

/**
 * The report; call it after `app.init()` (or `listen()`), once the routes are registered.
 *
 * @example
 * ```ts
 * await app.init();
 * console.log(formatCoverage(coverage(app)));
 * ```
 */
export function coverage(app: NestApplicationLike): CoverageReport {
  return app.get(NevertrustInstallation).coverage();
}
