/**
 * The guided tour, in order. Each step says what it shows, builds one HTTP request, and names the status
 * and the audit reason the API must answer with (see `tour-step.ts`); the steps themselves live in
 * `steps/`, one file per theme. A new feature adds its steps there and lists them here.
 */
import { BASIC_STEPS, EXPIRY_STEP } from './steps/basics.js';
import { INTROSPECTION_STEPS } from './steps/introspection.js';
import { MONITORING_STEPS } from './steps/monitoring.js';
import { POLICY_STEPS } from './steps/policy.js';
import { SENDER_STEPS } from './steps/sender-constrained.js';
import { SIGNAL_STEPS } from './steps/signals.js';
import type { TourStep } from './tour-step.js';

export type { StepCheck, TourRequest, TourResponse, TourStep } from './tour-step.js';

/**
 * The tour. The policy steps run while the short-lived token of the basics dies, so the expiry step waits
 * less; alice signs out once no later step needs her tokens; the monitoring steps come last, because the
 * detector blocks this address for a moment.
 *
 * @example
 * ```ts
 * const results = await runTour(TOUR, context, trail, out);
 * ```
 */
export const TOUR: readonly TourStep[] = [
  ...BASIC_STEPS,
  ...POLICY_STEPS,
  ...SENDER_STEPS,
  ...INTROSPECTION_STEPS,
  ...SIGNAL_STEPS,
  EXPIRY_STEP,
  ...MONITORING_STEPS,
];
