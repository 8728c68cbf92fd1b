/**
 * Type tests: one way to reach the principal (`getPrincipal(req)`, throwing or `{ optional: true }`), and
 * `require*` means one thing: a marker is middleware, a method decorator and a requirement value. Checked
 * by `tsc -b`; the runtime half proves the same names hold the values.
 */
import type { Principal, RequirementLike } from '@nevertrust/core';
import type { HandlerDecorator } from '@nevertrust/core/adapter';
import express, { type Request, type RequestHandler } from 'express';
import { expect, expectTypeOf, it } from 'vitest';
import {
  and,
  getPrincipal,
  type NevertrustMiddleware,
  nevertrust,
  publicRoute,
  requireRoles,
  requireScopes,
} from '../src/index.js';
import { serve, setup } from './support.js';

it('getPrincipal(req) is Principal, optional on public routes; markers are requirements', async () => {
  expectTypeOf<Request>().not.toHaveProperty('principal');
  expectTypeOf(getPrincipal).parameter(0).toEqualTypeOf<Request>();
  expectTypeOf(() => getPrincipal({} as Request)).returns.toEqualTypeOf<Principal>();
  expectTypeOf(() => getPrincipal({} as Request, { optional: true })).returns.toEqualTypeOf<
    Principal | undefined
  >();
  expectTypeOf(nevertrust).returns.toEqualTypeOf<NevertrustMiddleware>();
  expectTypeOf(requireScopes('a')).toExtend<RequestHandler>();
  expectTypeOf(requireRoles('a')).toExtend<RequirementLike>();
  expectTypeOf(and(requireScopes('a'), requireRoles('b'))).toExtend<RequestHandler>();
  expectTypeOf(publicRoute()).toExtend<HandlerDecorator>();

  const { options, bearer } = setup();
  const app = express();
  app.use(nevertrust(options));
  app.get('/me', (req, res) => {
    const principal: Principal = getPrincipal(req);
    res.json({ subject: principal.subject, scopes: principal.scopes, kind: principal.kind });
  });
  app.get('/hello', publicRoute(), (req, res) => {
    res.json({ subject: getPrincipal(req, { optional: true })?.subject ?? null });
  });
  const server = await serve(app);
  try {
    const body = await (await fetch(`${server.url}/me`, { headers: bearer('a b') })).json();
    expect(body).toEqual({ subject: 'user-1', scopes: ['a', 'b'], kind: 'user' });
    expect(await (await fetch(`${server.url}/hello`)).json()).toEqual({ subject: null });
    const known = await (await fetch(`${server.url}/hello`, { headers: bearer() })).json();
    expect(known).toEqual({ subject: 'user-1' });
  } finally {
    await server.close();
  }
});
