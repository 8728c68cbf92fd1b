/**
 * Type tests: the principal has one name and full types (`ctx.state.principal`, `getPrincipal(ctx)`).
 * Checked by `tsc -b`; the runtime half proves the same names hold the values.
 */
import Router from '@koa/router';
import type { Principal } from '@nevertrust/core';
import type { HandlerDecorator } from '@nevertrust/core/adapter';
import Koa, { type Context, type DefaultState, type Middleware } from 'koa';
import { expect, expectTypeOf, it } from 'vitest';
import { getPrincipal, nevertrust, requireScopes } from '../src/index.js';
import { serve, setup } from './support.js';

it('ctx.state.principal is Principal | undefined and getPrincipal(ctx) is Principal', async () => {
  expectTypeOf<DefaultState['principal']>().toEqualTypeOf<Principal | undefined>();
  expectTypeOf<Context['state']['principal']>().toEqualTypeOf<Principal | undefined>();
  expectTypeOf(getPrincipal).returns.toEqualTypeOf<Principal>();
  expectTypeOf(requireScopes('a')).toExtend<Middleware>();
  expectTypeOf(requireScopes('a')).toExtend<HandlerDecorator>();

  const { options, bearer } = setup();
  const app = new Koa();
  app.use(nevertrust(options));
  const router = new Router();
  router.get('/me', (ctx) => {
    expectTypeOf(ctx.state.principal).toEqualTypeOf<Principal | undefined>();
    ctx.body = { subject: getPrincipal(ctx).subject, expiresAt: typeof ctx.state.principal?.expiresAt };
  });
  app.use(router.routes());
  const server = await serve(app.callback());
  try {
    const body = await (await fetch(`${server.url}/me`, { headers: bearer() })).json();
    expect(body).toEqual({ subject: 'user-1', expiresAt: 'number' });
  } finally {
    await server.close();
  }
});
