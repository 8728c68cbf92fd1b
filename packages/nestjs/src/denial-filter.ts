/**
 * Refusals through Nest's exception layer, as the core decided them: with `denials: 'error'` (or a
 * resolver's refusal) the guard raises an `AccessDeniedError`, written here with its own status, headers
 * (`WWW-Authenticate`, `Cache-Control`, `Retry-After`) and RFC 6750 body, never Nest's `ForbiddenException`
 * body. A refusal the request hook already wrote ends Nest's handling without a second answer.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { AccessDeniedError } from '@nevertrust/core';

/** Raised by the guard when the refusal was already written to the client. */
export class DenialWritten extends Error {
  constructor() {
    super('nevertrust: the refusal was written');
    this.name = 'DenialWritten';
  }
}

/** Registered by `NevertrustModule` as `APP_FILTER` (built by a factory provider, like the guard). */
@Catch(AccessDeniedError, DenialWritten)
export class NevertrustDenialFilter implements ExceptionFilter {
  readonly #host: HttpAdapterHost;

  constructor(host: HttpAdapterHost) {
    this.#host = host;
  }

  /** Writes the refusal over HTTP; elsewhere (GraphQL) hands it back to be reported as an error. */
  catch(exception: AccessDeniedError | DenialWritten, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return exception;
    if (exception instanceof DenialWritten) return undefined;
    const adapter = this.#host.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    for (const [name, value] of Object.entries(exception.headers)) adapter.setHeader(response, name, value);
    return adapter.reply(response, JSON.stringify(exception.body), exception.status);
  }
}
