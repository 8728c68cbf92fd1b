/**
 * Type tests: one way to reach the principal (`getPrincipal(ctx)`, throwing or `{ optional: true }`), and
 * `require*` means one thing: a marker is middleware, a method decorator and a requirement value. Checked
 * by `tsc -b`; the runtime half proves the same names hold the values.
 */
import Router from '@koa/router';
import type { Principal, RequirementLike } from '@nevertrust/core';
import type { HandlerDecorator } from '@nevertrust/core/adapter';
import Koa, { type Context, type Middleware } from 'koa';
import { expect, expectTypeOf, it } from 'vitest';
import { and, getPrincipal, nevertrust, publicRoute, requireRoles, requireScopes } from '../src/index.js';
import { serve, setup } from './support.js';

it('getPrincipal(ctx) is Principal, optional on public routes; markers are requirements', async () => {
  expectTypeOf(() => getPrincipal({} as Context)).returns.toEqualTypeOf<Principal>();
  expectTypeOf(() => getPrincipal({} as Context, { optional: true })).returns.toEqualTypeOf<
    Principal | undefined
  >();
  expectTypeOf(requireScopes('a')).toExtend<Middleware>();
  expectTypeOf(requireScopes('a')).toExtend<HandlerDecorator>();
  expectTypeOf(requireRoles('a')).toExtend<RequirementLike>();
  expectTypeOf(and(requireScopes('a'), requireRoles('b'))).toExtend<Middleware>();

  const { options, bearer } = setup();
  const app = new Koa();
  app.use(nevertrust(options));
  const router = new Router();
  router.get('/me', (ctx) => {
    const principal: Principal = getPrincipal(ctx);
    ctx.body = { subject: principal.subject, expiresAt: typeof principal.expiresAt };
  });
  router.get('/hello', publicRoute(), (ctx) => {
    ctx.body = { subject: getPrincipal(ctx, { optional: true })?.subject ?? null };
  });
  app.use(router.routes());
  const server = await serve(app.callback());
  try {
    const body = await (await fetch(`${server.url}/me`, { headers: bearer() })).json();
    expect(body).toEqual({ subject: 'user-1', expiresAt: 'number' });
    expect(await (await fetch(`${server.url}/hello`)).json()).toEqual({ subject: null });
  } finally {
    await server.close();
  }
});
