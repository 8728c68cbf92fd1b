/**
 * Class-based controllers whose handlers state their requirement with a standard (TC39) method
 * decorator. Loaded through tsx (which lowers decorators) because the test runner's transform does not;
 * the decorators come in as arguments, so this file loads no second copy of any package.
 */
import type { Principal } from '@nevertrust/core';
import type { HandlerDecorator } from '@nevertrust/core/adapter';
import type { Request, Response } from 'express';
import type { FastifyRequest } from 'fastify';
import type { Context as HonoContext } from 'hono';
import type { Context } from 'koa';

/** The same requirement, as each adapter's marker. */
export interface Decorators {
  readonly express: HandlerDecorator;
  readonly koa: HandlerDecorator;
  readonly fastify: HandlerDecorator;
  readonly hono: HandlerDecorator;
}

/** Each adapter's `getPrincipal`, the one way its handlers reach the principal. */
export interface PrincipalReaders {
  readonly express: (req: Request) => Principal;
  readonly koa: (ctx: Context) => Principal;
  readonly fastify: (request: FastifyRequest) => Principal;
  readonly hono: (c: HonoContext) => Principal;
}

/** Records that a handler ran, by the case id the request carries. */
export type RanRecorder = (caseId: string | undefined) => void;

export function createControllers(admin: Decorators, principalOf: PrincipalReaders, ran: RanRecorder) {
  class ExpressOrders {
    @admin.express
    remove(req: Request, res: Response): void {
      ran(req.get('x-case'));
      res.json({ deleted: req.params.id, subject: principalOf.express(req).subject ?? null });
    }
  }
  class KoaOrders {
    @admin.koa
    remove(ctx: Context & { params: Record<string, string> }): void {
      ran(ctx.get('x-case'));
      ctx.body = { deleted: ctx.params.id, subject: principalOf.koa(ctx).subject ?? null };
    }
  }
  class FastifyOrders {
    @admin.fastify
    async remove(request: FastifyRequest<{ Params: { id: string } }>) {
      ran(request.headers['x-case'] as string | undefined);
      return { deleted: request.params.id, subject: principalOf.fastify(request).subject ?? null };
    }
  }
  class HonoOrders {
    @admin.hono
    remove(c: HonoContext): globalThis.Response {
      ran(c.req.header('x-case'));
      return c.json({ deleted: c.req.param('id'), subject: principalOf.hono(c).subject ?? null });
    }
  }
  return {
    express: new ExpressOrders(),
    koa: new KoaOrders(),
    fastify: new FastifyOrders(),
    hono: new HonoOrders(),
  };
}
