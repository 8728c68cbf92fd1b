/**
 * The conformance API on Nest, on both platforms, built as `apps.ts` builds it on the others: the Nest
 * application of `api.ts`, and what Nest applications mount on the platform itself (`app.use` on Express,
 * routes and plugins on Fastify) for a proxy, static files and a sub-application.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NevertrustOptions } from '@nevertrust/core';
import { gateOf } from '@nevertrust/core/adapter';
import cors from 'cors';
import express from 'express';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiModule, type RanRecorder } from './api.js';

/** The two Nest platforms, as conformance frameworks (`apps.ts` lists them). */
export type NestFramework = 'nest-express' | 'nest-fastify';

/** An app as a Node request handler, whatever the transport. */
export interface BuiltNestApp {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** What the Nest apps share with the others: the static root, the one CORS origin, the Express mounts. */
export interface Shared {
  readonly staticRoot: string;
  readonly corsOrigin: string;
  readonly mountExpress: (
    app: { use(path: string, ...handlers: unknown[]): unknown },
    ran: RanRecorder,
  ) => void;
}

const subjectOf = (raw: unknown) => ({ subject: gateOf(raw)?.principal?.subject ?? null });

async function onExpress(
  options: NevertrustOptions,
  ran: RanRecorder,
  shared: Shared,
): Promise<BuiltNestApp> {
  const instance = express();
  const preflight = cors({ origin: shared.corsOrigin });
  const app = await NestFactory.create(
    apiModule({ ...options, preflight }, ran),
    new ExpressAdapter(instance),
    {
      logger: false,
      abortOnError: false,
    },
  );
  shared.mountExpress(app, ran);
  await app.init();
  return { handler: instance, close: () => app.close() };
}

async function onFastify(
  options: NevertrustOptions,
  ran: RanRecorder,
  shared: Shared,
): Promise<BuiltNestApp> {
  const app = await NestFactory.create(
    apiModule({ ...options, preflight: true }, ran),
    new FastifyAdapter(),
    {
      logger: false,
      abortOnError: false,
    },
  );
  const instance = app.getHttpAdapter().getInstance() as FastifyInstance;
  const reply = async (request: FastifyRequest) => {
    ran(request.headers['x-case'] as string | undefined);
    return subjectOf(request.raw);
  };
  app.enableCors({ origin: shared.corsOrigin });
  await app.init();
  // After Nest's routes, as the Fastify app registers them after its API.
  instance.all('/proxy/*', reply);
  await instance.register(async (files) => {
    files.addHook('onRequest', async (request: FastifyRequest, response: FastifyReply) => {
      ran(request.headers['x-case'] as string | undefined);
      response.header('cache-control', 'no-store');
    });
    await files.register(fastifyStatic, { root: shared.staticRoot, prefix: '/static/', cacheControl: false });
  });
  await instance.register(async (admin) => admin.get('/stats', reply), { prefix: '/admin' });
  await instance.ready();
  return { handler: instance.routing, close: () => app.close() };
}

/** Builds the conformance API on one Nest platform, with its own guard. */
export function buildNest(
  framework: NestFramework,
  options: NevertrustOptions,
  ran: RanRecorder,
  shared: Shared,
): Promise<BuiltNestApp> {
  return framework === 'nest-express' ? onExpress(options, ran, shared) : onFastify(options, ran, shared);
}
