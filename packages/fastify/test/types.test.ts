/**
 * Type tests: the principal has one name and full types (`request.principal`, `getPrincipal(request)`),
 * and route config is typed. Checked by `tsc -b`; the runtime half proves the names hold the values.
 */
import type { Principal } from '@nevertrust/core';
import type { HandlerDecorator, RouteDeclaration } from '@nevertrust/core/adapter';
import fastify, { type FastifyContextConfig, type FastifyRequest } from 'fastify';
import { expect, expectTypeOf, it } from 'vitest';
import { getPrincipal, type NevertrustHook, nevertrust, requireScopes } from '../src/index.js';
import { setup } from './support.js';

it('request.principal is Principal | undefined and getPrincipal(request) is Principal', async () => {
  expectTypeOf<FastifyRequest['principal']>().toEqualTypeOf<Principal | undefined>();
  expectTypeOf(getPrincipal).returns.toEqualTypeOf<Principal>();
  expectTypeOf<{ scopes: ['a'] }>().toExtend<NonNullable<FastifyContextConfig['nevertrust']>>();
  expectTypeOf<RouteDeclaration>().toExtend<NonNullable<FastifyContextConfig['nevertrust']>>();
  expectTypeOf(requireScopes('a')).toExtend<NevertrustHook>();
  expectTypeOf(requireScopes('a')).toExtend<HandlerDecorator>();

  const { options, bearer } = setup();
  const app = fastify();
  await app.register(nevertrust, options);
  app.get('/me', async (request) => ({
    subject: getPrincipal(request).subject,
    issuer: request.principal?.issuer,
  }));
  const response = await app.inject({ url: '/me', headers: bearer() });
  expect(response.json()).toEqual({ subject: 'user-1', issuer: 'https://idp.fastify.test/' });
  await app.close();
});
