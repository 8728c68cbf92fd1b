/**
 * Runs the tour against the API with a real HTTP client (over TLS with a client certificate when a step
 * says so), one request per step (or a bounded burst of the same request), and pairs each response with
 * the audit event the API's guard recorded for it.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '@nevertrust/core';
import { Agent, request } from 'undici';
import type { AuditTrail } from './audit-trail.js';
import type { StepCheck, TourRequest, TourResponse, TourStep } from './tour.js';
import type { TourContext, TourTarget } from './tour-context.js';

/** What happened in one step. */
export interface StepResult {
  readonly step: TourStep;
  readonly request?: TourRequest;
  readonly status?: number;
  readonly event?: AuditEvent;
  readonly challenge?: string;
  readonly retryAfter?: string;
  readonly body?: string;
  /** What the step's own checks found, and how a burst went. */
  readonly notes?: readonly string[];
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

/** Headers of the request: the token with its scheme (`DPoP` when a proof goes with it), and the proof. */
function headersOf(spec: TourRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  if (spec.token !== undefined) {
    headers.authorization = `${spec.dpopProof === undefined ? 'Bearer' : 'DPoP'} ${spec.token}`;
  }
  if (spec.dpopProof !== undefined) headers.dpop = spec.dpopProof;
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  return headers;
}

/** Where the request goes: the HTTPS listener, or the plain-HTTP listener of the instance it names. */
function baseUrl(api: TourTarget, spec: TourRequest): string {
  if (spec.overTls) return api.tlsUrl;
  if (spec.instance === undefined || spec.instance === 0) return api.url;
  const url = api.instances?.[spec.instance];
  if (url === undefined) throw new Error(`no instance ${spec.instance} is running`);
  return url;
}

async function send(api: TourTarget, spec: TourRequest) {
  // Over TLS, a connection of its own presenting the step's client certificate (or none).
  const dispatcher = spec.overTls
    ? new Agent({ connect: { ca: api.ca, ...spec.overTls.certificate } })
    : undefined;
  try {
    const response = await request(`${baseUrl(api, spec)}${spec.path}`, {
      method: spec.method,
      headers: headersOf(spec),
      ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
      ...(dispatcher ? { dispatcher } : {}),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const header = (name: string) => {
      const value = response.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const challenge = header('www-authenticate');
    const retryAfter = header('retry-after');
    const dpopNonce = header('dpop-nonce');
    return {
      status: response.statusCode,
      body: await response.body.text(),
      ...(challenge !== undefined ? { challenge } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      ...(dpopNonce !== undefined ? { dpopNonce } : {}),
    };
  } finally {
    await dispatcher?.close();
  }
}

/** `401 ×4 → 429 ×1`: the statuses of a burst, run by run. */
function describeBurst(statuses: readonly number[]): string {
  const runs: { status: number; count: number }[] = [];
  for (const status of statuses) {
    const last = runs.at(-1);
    if (last?.status === status) last.count++;
    else runs.push({ status, count: 1 });
  }
  return `sent ${statuses.length} times: ${runs.map(({ status, count }) => `${status} ×${count}`).join(' → ')}`;
}

async function runStep(step: TourStep, context: TourContext, trail: AuditTrail): Promise<StepResult> {
  let spec: TourRequest;
  try {
    spec = await step.request(context);
  } catch (error) {
    return { step, passed: false, failure: `could not prepare the request: ${(error as Error).message}` };
  }
  const before = trail.events.length;
  const attempts = step.repeatUpTo ?? 1;
  const statuses: number[] = [];
  try {
    let response: TourResponse | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const sent = await send(context.api, spec);
      const event = await trail.eventAfter(before + attempt, AUDIT_WAIT_MS);
      response = event ? { ...sent, event } : sent;
      statuses.push(sent.status);
      if (sent.status === step.expect.status) break;
    }
    if (!response) throw new Error('nothing was sent');
    const { event } = response;
    const checked: StepCheck = step.check ? await step.check(response, context) : {};
    const notes = [...(attempts > 1 ? [describeBurst(statuses)] : []), ...(checked.notes ?? [])];
    // Exactly one decision per request, whatever the outcome.
    const oneEach = trail.events.length === before + statuses.length;
    const failure = !event
      ? 'the API recorded no audit event for this request'
      : !oneEach
        ? `${trail.events.length - before} audit events for ${statuses.length} requests`
        : checked.failure;
    return {
      step,
      request: spec,
      status: response.status,
      body: response.body,
      ...(event ? { event } : {}),
      ...(response.challenge !== undefined ? { challenge: response.challenge } : {}),
      ...(response.retryAfter !== undefined ? { retryAfter: response.retryAfter } : {}),
      ...(notes.length > 0 ? { notes } : {}),
      ...(failure !== undefined ? { failure } : {}),
      passed:
        response.status === step.expect.status &&
        event?.reason === step.expect.reason &&
        failure === undefined,
    };
  } catch (error) {
    return { step, request: spec, passed: false, failure: `request failed: ${(error as Error).message}` };
  }
}

/**
 * Runs every step in order, against the API of `context.api`; a failed step does not stop the tour.
 *
 * @example
 * ```ts
 * const results = await runTour(TOUR, context, trail, observer);
 * ```
 */
export async function runTour(
  steps: readonly TourStep[],
  context: TourContext,
  trail: AuditTrail,
  observer: TourObserver,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const [index, step] of steps.entries()) {
    observer.started(index, step);
    const result: StepResult = await runStep(step, context, trail);
    observer.finished(index, result);
    results.push(result);
  }
  return results;
}
