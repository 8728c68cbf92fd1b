/**
 * The orders API on NestJS (Express platform). Decorators are applied as plain calls — the demo compiles
 * with standard TypeScript settings, while a Nest application would write them as `@Get()`, `@Public()`…
 * with `experimentalDecorators` (see examples/nestjs).
 */
import 'reflect-metadata';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Module,
  Param,
  Post,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import {
  CurrentPrincipal,
  NevertrustModule,
  type Principal,
  Public,
  RequireScopes,
  Requires,
} from '@nevertrust/nestjs';
import express from 'express';
import type { ApiApp, ApiParts } from './index.js';
import { createOrderBook, describePrincipal, parseNewOrder, paymentMethodsOf } from './orders.js';
import { OWNER_ONLY, OWNER_WITH_STRONG_SIGN_IN } from './policies.js';

type Decorator = (target: object, key: string, descriptor: PropertyDescriptor) => unknown;
type ParameterDecorator = (target: object, key: string, index: number) => unknown;

/** `@a @b method(@p0 x, @p1 y)`, written as calls. */
function decorate(
  type: { prototype: object },
  key: string,
  methods: Decorator[],
  parameters: ParameterDecorator[] = [],
) {
  const descriptor = Object.getOwnPropertyDescriptor(type.prototype, key) as PropertyDescriptor;
  for (const decorator of methods.reverse()) decorator(type.prototype, key, descriptor);
  for (const [index, parameter] of parameters.entries()) parameter(type.prototype, key, index);
}

/**
 * Builds the API with a guard that has loaded its issuer's keys.
 *
 * @example
 * ```ts
 * const server = await startNestApi({ guard, metrics: registry });
 * ```
 */
export async function startNestApi({ guard, metrics }: ApiParts): Promise<ApiApp> {
  const orders = createOrderBook();

  class OrdersController {
    health() {
      return { status: 'ok' };
    }
    // Public for the demo's scrape; in production serve it on an internal port or behind the scraper's token.
    metrics() {
      return metrics.metrics();
    }
    list() {
      return { orders: orders.list() };
    }
    create(body: unknown, principal: Principal) {
      const order = parseNewOrder(body);
      if (!order) throw new BadRequestException({ error: 'invalid_order' });
      return orders.add(principal.subject ?? 'unknown', order.item, order.quantity);
    }
    ownOrders(userId: string) {
      return { orders: orders.ownedBy(userId) };
    }
    paymentMethods(userId: string) {
      return paymentMethodsOf(userId);
    }
    me(principal: Principal) {
      return describePrincipal(principal);
    }
  }
  Controller()(OrdersController);
  decorate(OrdersController, 'health', [Get('health'), Public()]);
  decorate(OrdersController, 'metrics', [
    Get('metrics'),
    Public(),
    Header('content-type', metrics.contentType),
  ]);
  decorate(OrdersController, 'list', [Get('orders'), RequireScopes('orders:read')]);
  decorate(
    OrdersController,
    'create',
    [Post('orders'), HttpCode(201), RequireScopes('orders:write')],
    [Body(), CurrentPrincipal()],
  );
  decorate(
    OrdersController,
    'ownOrders',
    [Get('users/:userId/orders'), Requires(OWNER_ONLY)],
    [Param('userId')],
  );
  decorate(
    OrdersController,
    'paymentMethods',
    [Get('users/:userId/payment-methods'), Requires(OWNER_WITH_STRONG_SIGN_IN)],
    [Param('userId')],
  );
  decorate(OrdersController, 'me', [Get('me')], [CurrentPrincipal()]);

  class ApiModule {}
  Module({ imports: [NevertrustModule.forRoot({ guard })], controllers: [OrdersController] })(ApiModule);
  const instance = express();
  instance.disable('x-powered-by');
  // The body parser, Nest's own, is registered after nevertrust: nothing of an unauthorised request is parsed.
  const app = await NestFactory.create(ApiModule, new ExpressAdapter(instance), {
    logger: false,
    bodyParser: false,
  });
  app.use(express.json({ limit: '4kb' }));
  await app.init();
  return { handle: instance, close: () => app.close() };
}
