/**
 * The example's controllers: a public health check, orders that need different scopes (the controller's
 * requirement and each handler's combine), and an admin controller that needs the admin scope.
 */
import { Body, Controller, Get, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal, Public, RequireAnyScope, RequireScopes } from '@nevertrust/nestjs';

const orders: { id: number; item: string; owner: string | undefined }[] = [];

@Controller('health')
@Public()
export class HealthController {
  @Get()
  health() {
    return { status: 'ok' };
  }
}

@Controller('orders')
@RequireAnyScope('orders:read', 'orders:write')
export class OrdersController {
  @Get()
  @RequireScopes('orders:read')
  list() {
    return orders;
  }

  @Post()
  @RequireScopes('orders:write')
  create(@Body() body: { item?: unknown } | undefined, @CurrentPrincipal() principal: Principal) {
    const order = { id: orders.length + 1, item: String(body?.item ?? 'widget'), owner: principal.subject };
    orders.push(order);
    return order;
  }
}

@Controller('admin')
@RequireScopes('admin')
export class AdminController {
  @Get('stats')
  stats() {
    return { orders: orders.length };
  }
}
