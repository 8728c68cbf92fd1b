/**
 * A refusal as an error, for applications that opt in to handling denials in their own error handler
 * (adapter option `denials: 'error'`). It carries the exact response the core decided, in the shape the
 * frameworks' error handlers read (`status`/`statusCode`, `headers`, `expose`). It holds neither the token
 * nor the audit event's internal detail, so serialising it cannot leak either.
 */
import type { DenyBody, DenyDecision } from '../model/decision.js';
import { NevertrustError } from '../model/errors.js';

/**
 * Raised instead of writing a refusal when an adapter runs with `denials: 'error'`.
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof AccessDeniedError) return res.status(err.status).set(err.headers).json(err.body);
 *   next(err);
 * });
 * ```
 */
export class AccessDeniedError extends NevertrustError {
  /** The HTTP status the core decided (401, 403, 400, 503 or 500). */
  readonly status: number;
  /** The same status, under the name Fastify and http-errors use. */
  readonly statusCode: number;
  /** Response headers to send as they are (`WWW-Authenticate`, `Cache-Control`, `Retry-After`, …). */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body (`error`, `error_description`); its text is fixed per code and safe to show. */
  readonly body: DenyBody;
  /** Whether the message may be shown to the client (always: it is the fixed description). */
  readonly expose = true;

  constructor(decision: DenyDecision) {
    super(decision.code, decision.body.error_description);
    this.name = 'AccessDeniedError';
    this.status = decision.status;
    this.statusCode = decision.status;
    this.headers = decision.headers;
    this.body = decision.body;
  }
}
