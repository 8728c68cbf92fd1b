/**
 * GraphQL through `@nestjs/graphql` with Apollo on the Express platform, over a real socket: the HTTP
 * request to the endpoint is decided first (anonymous → the HTTP 401 with its challenge); each resolver's
 * own requirement is then decided by the global guard, through the GraphQL context, and a refusal there is
 * a GraphQL error with the core's fixed description.
 */
import 'reflect-metadata';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { AuditEvent } from '@nevertrust/core';
import { adapterFixture } from '@nevertrust/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurrentPrincipal, NevertrustModule, type Principal, RequireScopes } from '../src/index.js';

@Resolver()
class OrdersResolver {
  @Query('me')
  me(@CurrentPrincipal() principal: Principal) {
    return principal.subject;
  }

  @Query('orders')
  @RequireScopes('orders:read')
  orders() {
    return ['order-1'];
  }
}

const fixture = adapterFixture<AuditEvent>('https://idp.graphql.test/', 'https://api.graphql.test');

@Module({
  imports: [
    NevertrustModule.forRoot(fixture.options),
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      typeDefs: 'type Query { me: String orders: [String!] }',
    }),
  ],
  providers: [OrdersResolver],
})
class GraphQLAppModule {}

let app: Awaited<ReturnType<typeof NestFactory.create>>;
let url: string;

beforeAll(async () => {
  app = await NestFactory.create(GraphQLAppModule, new ExpressAdapter(), {
    logger: false,
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
});

afterAll(() => app?.close());

const query = (text: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: text }),
  });

describe('GraphQL (Apollo, Express platform)', () => {
  it('refuses an anonymous request to the endpoint over HTTP, before GraphQL runs', async () => {
    const response = await query('{ me }');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
  });

  it("decides each resolver's requirement through the GraphQL context; a refusal is a GraphQL error", async () => {
    const token = fixture.mint({ claims: { sub: 'alice', scope: 'profile' } });
    const refused = await query('{ me orders }', { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(200);
    expect(refused.headers.get('www-authenticate')).toBeNull();
    const body = (await refused.json()) as { data: unknown; errors: { message: string; path: string[] }[] };
    expect(body.data).toEqual({ me: 'alice', orders: null });
    expect(body.errors.map((error) => [error.path, error.message])).toEqual([
      [['orders'], 'The access token does not grant the required scope'],
    ]);
    const reader = fixture.mint({ claims: { sub: 'bob', scope: 'orders:read' } });
    const allowed = await query('{ me orders }', { authorization: `Bearer ${reader}` });
    expect(await allowed.json()).toEqual({ data: { me: 'bob', orders: ['order-1'] } });
  });
});
