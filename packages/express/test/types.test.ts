/**
 * Type tests: the principal has one name and full types. They are checked by `tsc -b` (the test
 * project is part of the build) and the runtime half proves the same names hold the values.
 */
import type { Principal } from '@nevertrust/core';
import type { HandlerDecorator } from '@nevertrust/core/adapter';
import express, { type Request, type RequestHandler } from 'express';
import { expect, expectTypeOf, it } from 'vitest';
import {
  getPrincipal,
  type NevertrustMiddleware,
  nevertrust,
  publicRoute,
  requireScopes,
} from '../src/index.js';
import { serve, setup } from './support.js';

it('req.principal is Principal | undefined and getPrincipal(req) is Principal', async () => {
  expectTypeOf<Request['principal']>().toEqualTypeOf<Principal | undefined>();
  expectTypeOf(getPrincipal).parameter(0).toEqualTypeOf<Request>();
  expectTypeOf(getPrincipal).returns.toEqualTypeOf<Principal>();
  expectTypeOf(nevertrust).returns.toEqualTypeOf<NevertrustMiddleware>();
  expectTypeOf(requireScopes('a')).toExtend<RequestHandler>();
  expectTypeOf(publicRoute()).toExtend<HandlerDecorator>();

  const { options, bearer } = setup();
  const app = express();
  app.use(nevertrust(options));
  app.get('/me', (req, res) => {
    const principal: Principal = getPrincipal(req);
    res.json({ subject: principal.subject, scopes: req.principal?.scopes, kind: principal.kind });
  });
  const server = await serve(app);
  try {
    const body = await (await fetch(`${server.url}/me`, { headers: bearer('a b') })).json();
    expect(body).toEqual({ subject: 'user-1', scopes: ['a', 'b'], kind: 'user' });
  } finally {
    await server.close();
  }
});
