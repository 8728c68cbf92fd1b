/**
 * Runs the tour against the API with a real HTTP client, one request per step, and pairs each response
 * with the audit event the API's guard recorded for it.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '@nevertrust/core';
import { request } from 'undici';
import type { AuditTrail } from './audit-trail.js';
import type { TourRequest, TourStep } from './tour.js';
import type { TourContext } from './tour-context.js';

/** What happened in one step. */
export interface StepResult {
  readonly step: TourStep;
  readonly request?: TourRequest;
  readonly status?: number;
  readonly event?: AuditEvent;
  readonly challenge?: string;
  readonly body?: string;
  /** Why the step could not run, when it could not. */
  readonly failure?: string;
  readonly passed: boolean;
}

/** Receives each step as it starts and ends, for live output. */
export interface TourObserver {
  started(index: number, step: TourStep): void;
  finished(index: number, result: StepResult): void;
}

/** The 16-character SHA-256 fingerprint the audit trail uses: enough to correlate, useless to replay. */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 16);
}

const AUDIT_WAIT_MS = 2000;

async function send(apiUrl: string, spec: TourRequest) {
  const headers: Record<string, string> = {};
  if (spec.token !== undefined) headers.authorization = `Bearer ${spec.token}`;
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(`${apiUrl}${spec.path}`, {
    method: spec.method,
    headers,
    ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const challenge = response.headers['www-authenticate'];
  return {
    status: response.statusCode,
    body: await response.body.text(),
    challenge: typeof challenge === 'string' ? challenge : undefined,
  };
}

async function runStep(step: TourStep, context: TourContext, apiUrl: string, trail: AuditTrail) {
  let spec: TourRequest;
  try {
    spec = await step.request(context);
  } catch (error) {
    return { step, passed: false, failure: `could not prepare the request: ${(error as Error).message}` };
  }
  const before = trail.events.length;
  try {
    const response = await send(apiUrl, spec);
    const event = await trail.eventAfter(before, AUDIT_WAIT_MS);
    const passed =
      response.status === step.expect.status &&
      event?.reason === step.expect.reason &&
      trail.events.length === before + 1;
    return {
      step,
      request: spec,
      status: response.status,
      body: response.body,
      ...(event ? { event } : { failure: 'the API recorded no audit event for this request' }),
      ...(response.challenge !== undefined ? { challenge: response.challenge } : {}),
      passed,
    };
  } catch (error) {
    return { step, request: spec, passed: false, failure: `request failed: ${(error as Error).message}` };
  }
}

/**
 * Runs every step in order; a failed step does not stop the tour.
 *
 * @example
 * ```ts
 * const results = await runTour(TOUR, context, api.url, trail, observer);
 * ```
 */
export async function runTour(
  steps: readonly TourStep[],
  context: TourContext,
  apiUrl: string,
  trail: AuditTrail,
  observer: TourObserver,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const [index, step] of steps.entries()) {
    observer.started(index, step);
    const result: StepResult = await runStep(step, context, apiUrl, trail);
    observer.finished(index, result);
    results.push(result);
  }
  return results;
}
