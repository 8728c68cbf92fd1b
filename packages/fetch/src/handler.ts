/**
 * A protected fetch handler in one call: the request is decided, the handler runs only when it passed,
 * and the audit event is recorded with the status of what the handler returned (500 when it threw).
 */
import type { Principal, RequirementLike } from '@nevertrust/core';
import { checkedRequirement, type FetchNevertrust, type ProtectOptions } from './protect.js';

/** A fetch handler that receives the principal of the request it serves. */
export type PrincipalHandler<Rest extends unknown[]> = (
  request: Request,
  principal: Principal | undefined,
  ...rest: Rest
) => Response | Promise<Response>;

/**
 * Wraps `handler` so it only runs for requests that meet `requirement`; a refusal is returned as the
 * core's `Response`. `options` tells `protect` the client address and route, from the handler's arguments.
 *
 * @example
 * ```ts
 * export const GET = protectedHandler(auth, requireScopes('orders:read'), (request, principal) =>
 *   Response.json(listOrders(principal)),
 * );
 * ```
 */
export function protectedHandler<Rest extends unknown[]>(
  auth: FetchNevertrust,
  requirement: RequirementLike | undefined,
  handler: PrincipalHandler<Rest>,
  options?: (request: Request, ...rest: Rest) => ProtectOptions,
): (request: Request, ...rest: Rest) => Promise<Response> {
  // A malformed requirement stops start-up here rather than failing the first request.
  if (requirement !== undefined) checkedRequirement(requirement, 'protectedHandler()');
  return async (request, ...rest) => {
    const result = await auth.protect(request, requirement, options?.(request, ...rest));
    if (result instanceof Response) return result;
    let response: Response;
    try {
      response = await handler(request, result.principal, ...rest);
    } catch (error) {
      result.fail();
      throw error;
    }
    return result.complete(response);
  };
}
