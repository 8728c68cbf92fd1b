/**
 * The example API's data and responses, shared by the Express, Koa and Fastify versions so that the three
 * differ only in how nevertrust is plugged in. Orders belong to a user, for the ownership checks.
 */
import type { Principal } from '@nevertrust/core';

/** One order. */
export interface Order {
  readonly id: string;
  readonly owner: string;
  readonly item: string;
  readonly quantity: number;
}

/** The in-memory order book of one API instance. */
export interface OrderBook {
  list(): readonly Order[];
  find(id: string): Order | undefined;
  ownedBy(owner: string): readonly Order[];
  add(owner: string, item: string, quantity: number): Order;
}

/**
 * Creates an order book with one order for each demo user.
 *
 * @example
 * ```ts
 * const orders = createOrderBook();
 * orders.add('alice', 'tea', 2);
 * ```
 */
export function createOrderBook(): OrderBook {
  const orders = new Map<string, Order>([
    ['1001', { id: '1001', owner: 'alice', item: 'green tea', quantity: 3 }],
    ['1002', { id: '1002', owner: 'bob', item: 'coffee beans', quantity: 1 }],
  ]);
  let next = 1003;
  return {
    list: () => [...orders.values()],
    find: (id) => orders.get(id),
    ownedBy: (owner) => [...orders.values()].filter((order) => order.owner === owner),
    add(owner, item, quantity) {
      const order = { id: String(next++), owner, item, quantity };
      orders.set(order.id, order);
      return order;
    },
  };
}

/**
 * What `GET /me` answers: who the verified token says the caller is (never the token itself).
 *
 * @example
 * ```ts
 * res.json(describePrincipal(getPrincipal(req)));
 * ```
 */
export function describePrincipal(principal: Principal | undefined): Record<string, unknown> {
  if (!principal) return { authenticated: false };
  return {
    subject: principal.subject,
    kind: principal.kind,
    clientId: principal.clientId,
    scopes: principal.scopes,
    acr: principal.authentication.acr,
    // How the token was bound to its client (RFC 9449 `dpop`, RFC 8705 `mtls`, or `none` for a bearer token).
    binding: principal.binding.type,
    expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
  };
}

/**
 * What `GET /users/:userId/payment-methods` answers: the sort of detail that deserves a step-up.
 *
 * @example
 * ```ts
 * res.json(paymentMethodsOf(req.params.userId));
 * ```
 */
export function paymentMethodsOf(owner: string): Record<string, unknown> {
  return { owner, paymentMethods: [{ type: 'card', brand: 'visa', last4: '4242' }] };
}

/** The body of `POST /orders`, checked field by field (the request body is untrusted input). */
export function parseNewOrder(body: unknown): { item: string; quantity: number } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { item, quantity } = body as Record<string, unknown>;
  if (typeof item !== 'string' || item.length === 0 || item.length > 100) return undefined;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 1000) {
    return undefined;
  }
  return { item, quantity };
}
