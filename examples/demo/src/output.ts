/**
 * Everything the demo prints. Tokens and DPoP proofs never appear: a request shows what the token is, its
 * first characters and its fingerprint (a proof, its fingerprint only); responses show status, decision,
 * reason and the challenge header.
 */
import type { AuditCount } from './audit-trail.js';
import { fingerprint, type StepResult, type TourObserver } from './run-tour.js';
import type { TourStep } from './tour.js';

/** Where output goes, and whether it may use colour. */
export interface OutputSettings {
  readonly write: (text: string) => void;
  readonly color: boolean;
}

type Paint = (text: string) => string;

function palette(color: boolean): Record<'bold' | 'dim' | 'green' | 'red' | 'yellow' | 'cyan', Paint> {
  const wrap = (code: number, reset: number) => (text: string) =>
    color ? `\x1b[${code}m${text}\x1b[${reset}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/**
 * What of a token may be printed: a JWT's first characters (its public header); of an opaque token nothing,
 * since any part of it is part of the secret.
 */
function visiblePart(token: string): string {
  return token.includes('.') ? `${token.slice(0, 10)}…` : '(opaque)';
}

function shortBody(body: string | undefined): string {
  if (!body) return '';
  const flat = body.replace(/\s+/g, ' ');
  return flat.length > 90 ? `${flat.slice(0, 87)}…` : flat;
}

/** The demo's printer. */
export interface Output extends TourObserver {
  line(text?: string): void;
  /** Prints `label …` and returns a function completing the line with the outcome. */
  progress(label: string): (detail: string) => void;
  note(text: string): void;
  /** The audit summary; `decisions` is the number of decision records. */
  summary(counts: readonly AuditCount[], decisions: number): void;
  verdict(results: readonly StepResult[]): void;
}

/**
 * Creates the printer.
 *
 * @example
 * ```ts
 * const out = createOutput({ write: (text) => process.stdout.write(text), color: process.stdout.isTTY });
 * ```
 */
export function createOutput(settings: OutputSettings): Output {
  const paint = palette(settings.color);
  const line = (text = '') => settings.write(`${text}\n`);
  const indent = '       ';
  return {
    line,
    progress(label) {
      const started = performance.now();
      settings.write(`${paint.cyan('›')} ${label} … `);
      return (detail) => line(`${detail} ${paint.dim(`(${Math.round(performance.now() - started)} ms)`)}`);
    },
    note(text) {
      line(`${indent}${paint.dim(`… ${text}`)}`);
    },
    started(index: number, step: TourStep) {
      line();
      line(`${paint.bold(`${String(index + 1).padStart(2)}.`)}   ${paint.bold(step.title)}`);
      line(`${indent}${paint.dim(step.why)}`);
    },
    finished(_index: number, result: StepResult) {
      const { request, event } = result;
      if (request) {
        const scheme = request.dpopProof === undefined ? 'Bearer' : 'DPoP';
        const credential =
          request.token === undefined
            ? paint.dim('(no Authorization header)')
            : `${scheme} ${visiblePart(request.token)} ${paint.dim(`sha256:${fingerprint(request.token)}`)}`;
        const proof =
          request.dpopProof === undefined
            ? ''
            : `  DPoP: proof ${paint.dim(`sha256:${fingerprint(request.dpopProof)}`)}`;
        const over =
          (request.overTls ? ' over TLS' : '') +
          (request.instance === undefined
            ? ''
            : ` to instance ${'AB'[request.instance] ?? request.instance}`);
        line(`${indent}→ ${request.method} ${request.path}${over}  ${credential}${proof}`);
        for (const note of [request.tokenNote, request.proofNote, request.overTls?.note]) {
          if (note) line(`${indent}  ${paint.dim(note)}`);
        }
      }
      if (result.status !== undefined) {
        const decision = event ? `${event.outcome} ${event.reason}` : 'no decision recorded';
        const paintDecision = event?.outcome === 'allow' ? paint.green : paint.yellow;
        const extra = result.challenge
          ? paint.dim(`WWW-Authenticate: ${result.challenge}`)
          : paint.dim(
              `${result.retryAfter !== undefined ? `Retry-After: ${result.retryAfter}  ` : ''}${shortBody(result.body)}`,
            );
        line(`${indent}← ${result.status}  ${paintDecision(decision)}  ${extra}`);
      }
      for (const note of result.notes ?? []) line(`${indent}  ${paint.dim(note)}`);
      const expected = `${result.step.expect.status} ${result.step.expect.reason}`;
      if (result.passed) line(`${indent}${paint.green('✓')} as expected (${expected})`);
      else
        line(`${indent}${paint.red('✗')} expected ${expected}${result.failure ? `: ${result.failure}` : ''}`);
    },
    summary(counts, recorded) {
      line();
      const detections = counts
        .filter(({ outcome }) => outcome === 'detection')
        .reduce((sum, { count }) => sum + count, 0);
      line(
        paint.bold(
          `Audit trail: ${recorded} decisions and ${detections} detection record${detections === 1 ? '' : 's'} recorded by the API`,
        ),
      );
      const width = Math.max(6, ...counts.map(({ reason }) => reason.length));
      line(`  ${'outcome'.padEnd(9)} ${'reason'.padEnd(width)}  count`);
      for (const { outcome, reason, count } of counts) {
        const paintOutcome =
          outcome === 'allow' ? paint.green : outcome === 'deny' ? paint.yellow : paint.red;
        line(`  ${paintOutcome(outcome.padEnd(9))} ${reason.padEnd(width)}  ${String(count).padStart(5)}`);
      }
    },
    verdict(results) {
      const failed = results.flatMap((result, index) => (result.passed ? [] : [index + 1]));
      line();
      if (failed.length === 0) {
        line(paint.green(`✓ all ${results.length} steps behaved as expected.`));
      } else {
        line(
          paint.red(
            `✗ ${failed.length} of ${results.length} steps did not behave as expected: ${failed.join(', ')}.`,
          ),
        );
      }
    },
  };
}
