/**
 * @nevertrust/fastify — zero-trust access-token verification for Fastify 5, as a plugin that covers the
 * routes of the scope registering it. It translates; the core decides: this file reads each route's
 * requirement when the route is registered (so a typo fails start-up), turns requests into facts, and
 * writes the core's refusals with `reply`, so Fastify's own hooks still run.
 *
 * @example
 * ```ts
 * await app.register(nevertrust, { issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] });
 * app.get('/orders', { config: { nevertrust: requireScopes('orders:read') } }, async (request) => listOrders(getPrincipal(request)));
 * ```
 *
 * @packageDocumentation
 */
import {
  ConfigError,
  type DenyDecision,
  type NevertrustOptions,
  type RequirementLike,
} from '@nevertrust/core';
import {
  isCorsPreflight,
  openGate,
  PREFLIGHT,
  proceed,
  resolveAdapterOptions,
  resourceMetadataResponse,
  signalEndpointResponse,
  undeclaredRouteProblem,
} from '@nevertrust/core/adapter';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { recordRoutes, unannouncedRoutes } from './coverage.js';
import { destinationOf, routeRequirements, stampRequirements } from './route-requirements.js';
import { guardRouterRejections } from './router-rejections.js';

// Everything an application uses from the core, so that installing the adapter alone is enough. The
// adapter's route markers (markers.ts) take the place of the core's builders of the same names.
export * from '@nevertrust/core';
export { coverage } from './coverage.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route requires; checked when the route is registered. */
    nevertrust?: RequirementLike;
  }
}

function writeDenial(reply: FastifyReply): (decision: DenyDecision) => FastifyReply {
  return (decision) =>
    reply.code(decision.status).headers(decision.headers).send(JSON.stringify(decision.body));
}

// Async, so a ConfigError thrown here fails `register()` (and so start-up) rather than escaping.
const plugin: FastifyPluginAsync<NevertrustOptions> = async (app, options) => {
  const settings = resolveAdapterOptions(options, 'flag');
  // One hook at the application level, first of those registered after the plugin: it runs for every
  // route of every scope (Fastify binds application hooks to all routes when it starts) and for the
  // not-found handler, before any other hook, body parsing or handler of the application.
  app.addHook('onRequest', (request, reply, done) => {
    const signal = signalEndpointResponse(settings.guard, request.raw, request.method, request.url);
    if (signal) {
      signal
        .then((answer) => reply.code(answer.status).headers(answer.headers).send(answer.body))
        // Writing a fixed answer does not fail; if the socket did, there is no one left to answer.
        .catch(() => reply.raw.destroy());
      return;
    }
    const metadata = resourceMetadataResponse(settings.guard, request.method, request.url);
    if (metadata) {
      reply.code(metadata.status).headers(metadata.headers).send(metadata.body);
      return;
    }
    try {
      const gate = openGate(request.raw, reply.raw, settings, request.url, writeDenial(reply));
      // A real preflight reaches @fastify/cors's own hook as a public request, when enabled.
      const preflight = settings.preflight === true && isCorsPreflight(gate.facts);
      const destination = preflight ? undefined : destinationOf(request);
      const passed = destination ? gate.pass(destination.requirements, destination) : gate.pass(PREFLIGHT);
      proceed(passed, done)?.then(undefined, done);
    } catch (error) {
      done(error as Error);
    }
  });
  guardRouterRejections(app, (request, reply) =>
    openGate(request.raw, reply.raw, settings, request.url, writeDenial(reply)),
  );
  const record = recordRoutes(app, settings.guard);
  app.addHook('onRoute', (route) => {
    const requirements = routeRequirements(route);
    for (const method of [route.method].flat()) record({ method, path: route.url, requirements });
    const problem = undeclaredRouteProblem(
      settings.guard.policy,
      [route.method].flat(),
      route.url,
      requirements,
    );
    if (problem) throw new ConfigError([problem]);
    stampRequirements(route, requirements);
  });
  // Routes registered before the plugin are decided too, but their hooks were never seen: say so once.
  // Routes the plugin never saw being registered. On the root instance its hook still covers them (Fastify
  // binds application hooks to every route when it starts): say so once. Registered in a child scope, the
  // hook does not reach routes outside that scope: they would be open, so the application does not start.
  const root = Object.getPrototypeOf(app) === Object.prototype;
  app.addHook('onReady', async () => {
    const unseen = unannouncedRoutes(app).map(({ method, path }) => `${method} ${path}`);
    if (unseen.length === 0) return;
    if (!root) {
      throw new ConfigError(
        unseen.map(
          (route) =>
            `${route}: not covered by @nevertrust/fastify, which is registered in a child scope: register it on the root instance, before the routes`,
        ),
      );
    }
    app.log.warn(
      `nevertrust: registered before @nevertrust/fastify, so only their config and the default ` +
        `requirement protect them (register the plugin first): ${unseen.join(', ')}`,
    );
  });
  if (settings.ownsGuard) app.addHook('onClose', () => settings.guard.close());
};

/**
 * The plugin: every route of the registering scope (registered after it) needs a valid access token
 * unless it says otherwise. Throws `ConfigError` at registration when the options are wrong.
 *
 * @example
 * ```ts
 * await app.register(nevertrust, { issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] });
 * ```
 */
export const nevertrust = fastifyPlugin(plugin, { fastify: '5.x', name: '@nevertrust/fastify' });

export {
  and,
  getPrincipal,
  type NevertrustHook,
  not,
  or,
  publicRoute,
  requireAddress,
  requireAnyRole,
  requireAnyScope,
  requireAuthentication,
  requireBinding,
  requireClaim,
  requireKind,
  requireMethod,
  requireOwnership,
  requireRoles,
  requireScopes,
  requires,
  requireThat,
  requireWorkload,
} from './markers.js';
