/**
 * Puts the platform's own nevertrust adapter in front of the Nest application, while Nest creates it and
 * before anything of the application is registered: on Express, the @nevertrust/express middleware first
 * in the Express application; on Fastify, the @nevertrust/fastify plugin, whose request hook runs in the
 * Nest adapter's first `onRequest` hook (before `@fastify/middie`, so before Nest middleware). Either way
 * the request is decided for the route the platform's router reaches, and a request no route takes (Nest's
 * 404) is decided like on the other adapters, before any application code runs.
 */
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { CoverageReport } from '@nevertrust/core';
import { AccessDeniedError, ConfigError } from '@nevertrust/core';
import { createRouteMarker, type ResolvedAdapterOptions } from '@nevertrust/core/adapter';
import { stampedRequirement } from './route-stamps.js';

/** The adapter installed for one Nest platform. */
export interface Platform {
  /** Called once Nest registered its routes. */
  routesRegistered(): void;
  /** The coverage report of the routes the platform's router holds. */
  coverage(): CoverageReport;
}

type Settings = Pick<ResolvedAdapterOptions, 'guard' | 'denials' | 'preflight'>;

/** What the platform adapters accept: the one guard, and how refusals leave. */
function adapterOptions(settings: Settings) {
  const { guard, denials, preflight } = settings;
  return preflight === undefined ? { guard, denials } : { guard, denials, preflight };
}

interface ExpressLayer {
  handle: unknown;
  readonly route?: { readonly stack: ExpressLayer[] };
}

type MiddlewareFactory = (method: unknown) => unknown;
type Register = (path: string, callback: object) => unknown;

/**
 * Nest mounts `MiddlewareConsumer` middleware at paths (or as routes), where the look-ahead would take it
 * for a destination: it is marked as passing requests on, so the request is decided, before it runs,
 * for the route after it.
 */
function markNestMiddleware(
  adapter: AbstractHttpAdapter,
  passThrough: <T extends object>(handler: T) => T,
): void {
  const nest = adapter as unknown as { createMiddlewareFactory: MiddlewareFactory };
  const factory = nest.createMiddlewareFactory.bind(adapter);
  nest.createMiddlewareFactory = (method) => {
    const made = factory(method);
    const mark =
      (register: Register): Register =>
      (path, callback) =>
        register(path, passThrough(callback));
    return made instanceof Promise ? made.then(mark) : mark(made as Register);
  };
}

async function onExpress(adapter: AbstractHttpAdapter, settings: Settings): Promise<Platform> {
  const express = await import('@nevertrust/express');
  const middleware = express.nevertrust(adapterOptions(settings));
  const app = adapter.getInstance() as { use(handler: unknown): void; readonly router: unknown };
  app.use(middleware);
  markNestMiddleware(adapter, express.passThrough);
  return {
    routesRegistered() {
      const stack = (app.router as { stack?: ExpressLayer[] } | undefined)?.stack ?? [];
      for (const layer of stack) {
        for (const inner of layer.route?.stack ?? []) {
          const requirement = stampedRequirement(inner.handle);
          // A marker around Nest's handler: the look-ahead reads the route's requirement from it.
          if (requirement) inner.handle = createRouteMarker(requirement, inner.handle as () => unknown);
        }
      }
    },
    coverage: () => express.coverage(app, middleware),
  };
}

interface FastifyNestAdapter {
  readonly onRequestHook?: unknown;
  setOnRequestHook(hook: unknown): void;
}

async function onFastify(adapter: AbstractHttpAdapter, settings: Settings): Promise<Platform> {
  const fastify = await import('@nevertrust/fastify');
  const nest = adapter as unknown as FastifyNestAdapter;
  if (nest.onRequestHook) {
    throw new ConfigError([
      'NevertrustModule: the Fastify adapter already has an onRequest hook (setOnRequestHook)',
    ]);
  }
  const instance = adapter.getInstance() as object;
  // The plugin's request hook goes to the hook the Nest adapter runs first; everything else it adds
  // (route announcements, router rejections) goes to the instance as usual.
  const scope: object = new Proxy(instance, {
    get(target, property) {
      if (property === 'addHook') {
        return (name: string, hook: unknown) => {
          if (name === 'onRequest') nest.setOnRequestHook(hook);
          else (target as { addHook(name: string, hook: unknown): void }).addHook(name, hook);
          return scope;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const plugin = fastify.nevertrust as unknown as (app: object, options: object) => Promise<void>;
  await plugin(scope, adapterOptions(settings));
  return { routesRegistered() {}, coverage: () => fastify.coverage(scope) };
}

/**
 * With `denials: 'error'`, a refusal raised by the request hook reaches Nest's exception layer through the
 * platform's error handler, where Nest would turn it into an `HttpException` (it carries `statusCode` and
 * `expose`, like http-errors) and lose its headers: it is passed on as it is, for `NevertrustDenialFilter`
 * or the application's own `@Catch(AccessDeniedError)` filter.
 */
function keepRefusalsWhole(adapter: AbstractHttpAdapter): void {
  const nest = adapter as unknown as { mapException?: (error: unknown) => unknown };
  const map = nest.mapException?.bind(adapter);
  if (!map) return;
  nest.mapException = (error) => (error instanceof AccessDeniedError ? error : map(error));
}

/**
 * Fails start-up unless Nest runs on a platform this package supports.
 *
 * @example
 * ```ts
 * assertPlatform(httpAdapterHost.httpAdapter?.getType());
 * ```
 */
export function assertPlatform(type: string | undefined): asserts type is 'express' | 'fastify' {
  if (type === 'express' || type === 'fastify') return;
  throw new ConfigError([
    `NevertrustModule: expected an HTTP application on @nestjs/platform-express or @nestjs/platform-fastify, got ${type ?? 'none'}`,
  ]);
}

/**
 * Installs the adapter of the platform Nest runs on.
 *
 * @example
 * ```ts
 * const platform = await installPlatform(httpAdapterHost.httpAdapter, settings);
 * ```
 */
export async function installPlatform(adapter: AbstractHttpAdapter, settings: Settings): Promise<Platform> {
  keepRefusalsWhole(adapter);
  const type = adapter.getType();
  assertPlatform(type);
  return type === 'express' ? onExpress(adapter, settings) : onFastify(adapter, settings);
}
