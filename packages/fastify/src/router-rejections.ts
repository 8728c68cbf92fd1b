/**
 * Requests Fastify's router refuses before any hook runs: a path with bad percent-encoding (400
 * `FST_ERR_BAD_URL`) or a parameter longer than `maxParamLength` (414 `FST_ERR_MAX_PARAM_LENGTH`). Both
 * happen only on parametric routes, so an unauthenticated caller could use them to map which routes
 * exist, and no hook would record them. Fastify hands them to its `frameworkErrors` option, read from the
 * instance's options object at the time of the error; the plugin chains its own handler in front of the
 * application's (or of Fastify's default answer), so they are decided like a request to no route.
 */
import type { RequestGate } from '@nevertrust/core/adapter';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type FrameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => unknown;
const ROUTER_REJECTIONS = new Set(['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH']);

/** Fastify's own answer to a router rejection, when the application set no `frameworkErrors`. */
function defaultAnswer(error: FastifyError, reply: FastifyReply): unknown {
  const status = error.statusCode ?? 400;
  return reply
    .code(status)
    .send({ error: 'Bad Request', code: error.code, message: error.message, statusCode: status });
}

/**
 * Chains `decide` in front of the instance's `frameworkErrors`: a router rejection is answered only once
 * the request passed the guard's default requirement; anything else goes on as before.
 *
 * @example
 * ```ts
 * guardRouterRejections(app, (request, reply) => gateFor(request, reply));
 * ```
 */
export function guardRouterRejections(
  app: FastifyInstance,
  open: (request: FastifyRequest, reply: FastifyReply) => RequestGate,
): void {
  const kOptions = Object.getOwnPropertySymbols(Object.getPrototypeOf(app) ?? app)
    .concat(Object.getOwnPropertySymbols(app))
    .find((symbol) => symbol.description === 'fastify.options');
  const options = kOptions
    ? (app as unknown as Record<symbol, { frameworkErrors?: FrameworkErrors }>)[kOptions]
    : undefined;
  if (!options) throw new TypeError('@nevertrust/fastify: this Fastify version keeps its options elsewhere');
  const previous = options.frameworkErrors;
  options.frameworkErrors = (error, request, reply) => {
    const answer = () => (previous ? previous(error, request, reply) : defaultAnswer(error, reply));
    if (!ROUTER_REJECTIONS.has(error.code)) return answer();
    try {
      const passed = open(request, reply).pass([]);
      if (passed === true) return answer();
      if (passed === false) return undefined;
      return passed.then(
        (allowed) => (allowed ? answer() : undefined),
        (failure: unknown) => reply.send(failure),
      );
    } catch (failure) {
      // `denials: 'error'`: the refusal goes to Fastify's error handling, as on any route.
      return reply.send(failure);
    }
  };
}
