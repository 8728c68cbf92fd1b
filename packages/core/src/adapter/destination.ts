/**
 * Where a request is going, as the adapter's router sees it before any of the application's code runs.
 * Adapters find it by looking ahead through the framework's own routing structures, so the guard decides
 * at the point where nevertrust is installed: middleware mounted with `use`, router `param` callbacks,
 * not-found handlers and the framework's automatic answers all run after the decision, never before.
 */

import type { Requirement } from '../policy/requirements.js';
import type { RouteInfo } from './route-params.js';

/** The handler a request will reach and everything stated on the way to it. */
export interface Destination extends RouteInfo {
  /**
   * The requirements of the markers on the way (router- and mount-level) and of the destination's own
   * handlers, in order; empty when nothing is stated, and then the guard's default applies (a valid
   * token, or a refusal in strict mode).
   */
  readonly requirements: readonly Requirement[];
}

/**
 * The destination of a request no declared route or mount matches: the guard's default applies, so an
 * unauthenticated caller cannot tell a missing route from an existing one.
 */
export const UNMATCHED: Destination = Object.freeze({ requirements: Object.freeze([]) });
