/**
 * Type tests: one way to reach the principal (`getPrincipal(request)`, throwing or `{ optional: true }`),
 * and `require*` means one thing: a marker is a hook, a method decorator and a requirement value, so it
 * also fits `config.nevertrust`. Checked by `tsc -b`; the runtime half proves the names hold the values.
 */
import type { Principal, Requirement } from '@nevertrust/core';
import type { HandlerDecorator } from '@nevertrust/core/adapter';
import fastify, { type FastifyContextConfig, type FastifyRequest } from 'fastify';
import { expect, expectTypeOf, it } from 'vitest';
import {
  and,
  getPrincipal,
  type NevertrustHook,
  nevertrust,
  publicRoute,
  requireRoles,
  requireScopes,
} from '../src/index.js';
import { setup } from './support.js';

it('getPrincipal(request) is Principal, optional on public routes; markers fit config.nevertrust', async () => {
  expectTypeOf<FastifyRequest>().not.toHaveProperty('principal');
  expectTypeOf(() => getPrincipal({} as FastifyRequest)).returns.toEqualTypeOf<Principal>();
  expectTypeOf(() => getPrincipal({} as FastifyRequest, { optional: true })).returns.toEqualTypeOf<
    Principal | undefined
  >();
  expectTypeOf<Requirement>().toExtend<NonNullable<FastifyContextConfig['nevertrust']>>();
  expectTypeOf(requireScopes('a')).toExtend<NonNullable<FastifyContextConfig['nevertrust']>>();
  expectTypeOf(requireScopes('a')).toExtend<NevertrustHook>();
  expectTypeOf(requireScopes('a')).toExtend<HandlerDecorator>();
  expectTypeOf(and(requireScopes('a'), requireRoles('b'))).toExtend<NevertrustHook>();

  const { options, bearer } = setup();
  const app = fastify();
  await app.register(nevertrust, options);
  app.get('/me', async (request) => ({ subject: getPrincipal(request).subject }));
  app.get('/hello', { config: { nevertrust: publicRoute() } }, async (request) => ({
    subject: getPrincipal(request, { optional: true })?.subject ?? null,
  }));
  const response = await app.inject({ url: '/me', headers: bearer() });
  expect(response.json()).toEqual({ subject: 'user-1' });
  expect((await app.inject({ url: '/hello' })).json()).toEqual({ subject: null });
  await app.close();
});
