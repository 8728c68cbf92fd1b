/**
 * The raw Node request behind what a Nest execution context holds, where the request hook keeps the
 * request's gate: the Express request itself, a Fastify request's `raw`, and in a GraphQL resolver the
 * request of the GraphQL context (Apollo: `req`; Mercurius: `reply.request`).
 */
import type { ExecutionContext } from '@nestjs/common';

interface PlatformRequest {
  readonly raw?: unknown;
}

interface GraphQLContext {
  readonly req?: PlatformRequest;
  readonly request?: PlatformRequest;
  readonly reply?: { readonly request?: PlatformRequest };
}

function rawOf(request: PlatformRequest | undefined): unknown {
  return request?.raw ?? request;
}

/**
 * The raw request of an HTTP or GraphQL execution context; `undefined` for any other kind.
 *
 * @example
 * ```ts
 * const gate = gateOf(rawRequest(context));
 * ```
 */
export function rawRequest(context: ExecutionContext): unknown {
  const type = context.getType<string>();
  if (type === 'http') return rawOf(context.switchToHttp().getRequest<PlatformRequest>());
  if (type !== 'graphql') return undefined;
  const graphql = context.getArgs()[2] as GraphQLContext | undefined;
  return rawOf(graphql?.req ?? graphql?.request ?? graphql?.reply?.request);
}
