/**
 * `@CurrentPrincipal()`: the authenticated principal as a handler or resolver parameter, the Nest way to
 * reach it. Throws when there is none, so a handler never acts on behalf of nobody; on a public handler,
 * `@CurrentPrincipal({ optional: true })` gives `undefined` for a caller without credentials.
 */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@nevertrust/core';
import { gateOf, requirePrincipal } from '@nevertrust/core/adapter';
import { rawRequest } from './raw-request.js';

/** Options of {@link CurrentPrincipal}. */
export interface CurrentPrincipalOptions {
  /** `true`: `undefined` instead of an error when the caller is anonymous (public handlers). */
  readonly optional?: boolean;
}

/**
 * The principal of the request, typed {@link Principal}.
 *
 * @example
 * ```ts
 * @Get('me') me(@CurrentPrincipal() principal: Principal) { return { subject: principal.subject }; }
 * ```
 */
export const CurrentPrincipal: (options?: CurrentPrincipalOptions) => ParameterDecorator =
  createParamDecorator(
    (options: CurrentPrincipalOptions | undefined, context: ExecutionContext): Principal | undefined => {
      const raw = rawRequest(context);
      return options?.optional ? gateOf(raw)?.principal : requirePrincipal(raw);
    },
  );
