/**
 * The monitoring part of the tour: the anomaly detector that notices a burst of bad tokens from one address
 * and blocks it for a while (with a detection record in the audit trail), and the Prometheus metrics the
 * API exposes, checked against the audit trail.
 */
import type { DetectionEvent } from '@nevertrust/core/sinks';
import type { TourContext } from '../tour-context.js';
import { asService, type StepCheck, type TourResponse, type TourStep, tamper } from '../tour-step.js';

const DETECTION_WAIT_MS = 2000;

const isBurst = (detection: DetectionEvent) =>
  detection.detector === 'auth-failure-burst' && detection.offender === 'peer';

/** One sample of the Prometheus text format. */
interface Sample {
  readonly line: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, name = '', value = ''] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value;
    }
    samples.push({ line, name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** Every denial counter must equal the audit trail's count, and the detection counter its records. */
function checkMetrics(response: TourResponse, context: TourContext): StepCheck {
  const samples = parseSamples(response.body);
  const decisions = samples.filter(({ name }) => name === 'nevertrust_decisions_total');
  if (decisions.length === 0) return { failure: 'no nevertrust_decisions_total in the scrape' };
  const counted = new Map<string, number>();
  for (const { labels, value } of decisions) {
    if (labels.outcome !== 'deny') continue;
    counted.set(labels.reason ?? '', (counted.get(labels.reason ?? '') ?? 0) + value);
  }
  const recorded = new Map<string, number>();
  for (const { outcome, reason } of context.trail.events) {
    if (outcome === 'deny') recorded.set(reason, (recorded.get(reason) ?? 0) + 1);
  }
  for (const [reason, count] of recorded) {
    if (counted.get(reason) !== count) {
      return {
        failure: `${reason}: ${counted.get(reason) ?? 0} in the metrics, ${count} in the audit trail`,
      };
    }
  }
  const detections = samples
    .filter(({ name }) => name === 'nevertrust_detections_total')
    .reduce((sum, { value }) => sum + value, 0);
  if (detections !== context.trail.detections.length) {
    return {
      failure: `${detections} detections in the metrics, ${context.trail.detections.length} in the audit trail`,
    };
  }
  const shown = decisions
    .filter(({ labels }) => labels.reason === 'ERR_TOKEN_REVOKED' || labels.reason === 'ERR_BLOCKED')
    .concat(samples.filter(({ name }) => name === 'nevertrust_detections_total'))
    .map(({ line }) => line);
  return {
    notes: [
      `nevertrust_decisions_total: ${recorded.size} denial reasons, each equal to the audit trail's count; e.g.`,
      ...shown.map((line) => `  ${line}`),
    ],
  };
}

/** The anomaly detector, the block it imposes, and the metrics. */
export const MONITORING_STEPS: readonly TourStep[] = [
  {
    title: 'A burst of bad tokens from one address',
    why: 'The auth-failure-burst detector counts refused tokens per peer (the earlier steps count too) and blocks it.',
    request: async (context) => ({
      method: 'GET',
      path: '/orders',
      token: tamper(await context.serviceToken('reporting-service', 'orders:read'), { sub: 'admin' }),
      tokenNote: 'reporting-service token with its subject rewritten, sent until the API stops answering 401',
    }),
    repeatUpTo: 30,
    check: async (_response, context) => {
      const detection = await context.trail.detection(isBurst, DETECTION_WAIT_MS);
      if (!detection) return { failure: 'no auth-failure-burst detection record in the audit trail' };
      return {
        notes: [
          `detection record: ${detection.detector}, offender ${detection.offender} ${detection.remoteAddress}, ` +
            `${detection.count} failures (threshold ${detection.threshold} in ${detection.windowSeconds} s), ` +
            `action ${detection.action}${detection.blockedUntil ? ` until ${detection.blockedUntil}` : ''}`,
        ],
      };
    },
    expect: { status: 429, reason: 'ERR_BLOCKED' },
  },
  {
    title: 'While blocked, even a valid token is refused',
    why: 'The block holds the address back before any token is checked: 429 with Retry-After, no challenge.',
    request: (context) =>
      asService(context, 'reporting-service', 'orders:read', { method: 'GET', path: '/orders' }),
    check: async (response) =>
      response.retryAfter === undefined || response.challenge !== undefined
        ? { failure: 'a block answers with Retry-After and without WWW-Authenticate' }
        : { notes: [`try again in ${response.retryAfter} s: no other token would help sooner`] },
    expect: { status: 429, reason: 'ERR_BLOCKED' },
  },
  {
    title: 'Prometheus metrics',
    why: 'GET /metrics (@nevertrust/prometheus): decisions by outcome, reason and route, and detector firings.',
    request: async (context) => {
      const until = context.trail.detections.find(isBurst)?.blockedUntil;
      if (until !== undefined) {
        await context.waitUntil(Date.parse(until) / 1000 + 0.1, 'until the block on this address ends');
      }
      return { method: 'GET', path: '/metrics' };
    },
    check: async (response, context) => checkMetrics(response, context),
    expect: { status: 200, reason: 'OK' },
  },
];
