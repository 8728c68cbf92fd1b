/**
 * Deny by default everywhere: the ways real applications wire handlers besides routes — handlers mounted
 * with `use` (a GraphQL endpoint, a proxy, static files, a sub-application), router `param` callbacks,
 * the application's own catch-all, the framework's automatic `OPTIONS` and 405 answers, CORS preflight,
 * path variants and requests the router itself rejects. No application code runs, and no answer but the
 * guard's refusal goes out, unless the request passed the guard for the requirement that applies to it;
 * an unauthenticated caller gets the same 401 whether a route exists or not.
 */
import { ERROR_TABLE, type ErrorCode } from '@nevertrust/core';
import type { ConformanceCase, ExpectedAudit, TokenRecipe } from './api.js';
import { CORS_ORIGIN } from './apps.js';
import { BEARER } from './cases.js';
import { METADATA_URL } from './profiles.js';

type Code = Exclude<ErrorCode, 'ERR_CONFIG'>;
type Route = ExpectedAudit['route'];

const reader: TokenRecipe = { scope: 'orders:read' };

/** A refusal with the challenge of `code` (plus `extra` parameters), and nothing of the app ran. */
function refused(code: Code, route: Route, extra: Record<string, string> = {}): ConformanceCase['expect'] {
  const spec = ERROR_TABLE[code];
  const error = spec.error ? { error: spec.error, error_description: spec.description } : {};
  return {
    status: spec.status,
    challenge: { realm: 'conformance', ...error, ...extra },
    bodyError: spec.error ?? spec.bodyError ?? 'unauthorized',
    handlerRan: false,
    audit: { outcome: 'deny', reason: code, route },
  };
}

/** Let through: the application answered with `status`, and its code ran. */
function served(status: number, route: Route): ConformanceCase['expect'] {
  return {
    status,
    challenge: null,
    bodyError: null,
    handlerRan: true,
    audit: { outcome: 'allow', reason: 'OK', route },
  };
}

/** The route label each router gives a handler mounted with `use` (koa-mount is opaque to the look-ahead). */
const mounted = (express: string, fastify: string, hono: string | undefined) => ({
  express,
  koa: undefined,
  fastify,
  hono,
});
const GRAPHQL = mounted('/graphql', '/graphql', '/graphql');
/** Express hides a mounted application behind a closure: the mount is the destination. */
const SUB_APP = mounted('/admin', '/admin/stats', '/admin/stats');
/** Hono's `use`-mounted middleware (`(c, next)`) is on the way, never the destination. */
const STATIC = mounted('/static', '/static/*', undefined);
const PROXY = mounted('/proxy', '/proxy/*', '/proxy/*');
const ORDERS = '/api/orders';
const ORDER = '/api/orders/:id';
/** Express and @koa/router match case-insensitively and tolerate a trailing slash; Fastify does neither. */
const LENIENT_ORDERS = { express: ORDERS, koa: ORDERS, fastify: undefined, hono: undefined };

/** Anonymous requests to every wiring pattern and path variant: 401, nothing of the app runs. */
const ANONYMOUS: readonly [string, string, string, Route][] = [
  ['a GraphQL-style handler mounted with use, behind a body parser', 'POST', '/graphql', GRAPHQL],
  ['a proxy-style handler mounted with use', 'GET', '/proxy/upstream/path', PROXY],
  ['static files mounted with use', 'GET', '/static/hello.txt', STATIC],
  ['a sub-application mounted with use', 'GET', '/admin/stats', SUB_APP],
  ['a router param callback (no lookup runs, so no 404 oracle)', 'GET', '/api/orders/42', ORDER],
  ['a path no route declares (the app catch-all does not run)', 'GET', '/nothing/here', undefined],
  [
    'OPTIONS without preflight headers (no automatic Allow answer)',
    'OPTIONS',
    ORDERS,
    { express: undefined, koa: undefined, fastify: '*', hono: undefined },
  ],
  ['a method the route does not have (no automatic 405)', 'PUT', ORDERS, undefined],
  ['path variant: upper case', 'GET', '/API/ORDERS', LENIENT_ORDERS],
  ['path variant: trailing slash', 'GET', '/api/orders/', { ...LENIENT_ORDERS, fastify: ORDER }],
  ['path variant: encoded slash', 'GET', '/api/orders%2F', undefined],
  [
    'path variant: encoded letter',
    'GET',
    '/%61pi/orders',
    { express: undefined, koa: undefined, fastify: ORDERS, hono: ORDERS },
  ],
  // light-my-request resolves the dot segment before the app sees it; a socket delivers it as sent.
  ['path variant: dot segment', 'GET', '/api/orders/.', null],
  ['path variant: double slash', 'GET', '//api/orders', undefined],
  [
    'path variant: bad percent-encoding in a parameter',
    'GET',
    '/api/orders/%zz',
    { express: undefined, koa: ORDER, fastify: undefined, hono: ORDER },
  ],
  [
    'path variant: a parameter longer than the router accepts',
    'GET',
    `/api/orders/${'x'.repeat(200)}`,
    { express: ORDER, koa: ORDER, fastify: undefined, hono: ORDER },
  ],
];

const preflightHeaders: readonly (readonly [string, string])[] = [
  ['origin', CORS_ORIGIN],
  ['access-control-request-method', 'GET'],
];

export const WIRING_CASES: readonly ConformanceCase[] = [
  ...ANONYMOUS.map(
    ([what, method, target, route]): ConformanceCase => ({
      name: `deny everywhere: ${what} → 401 without credentials, nothing ran`,
      method,
      target,
      needs: ['routing'],
      expect: refused('ERR_NO_CREDENTIALS', route),
    }),
  ),
  {
    name: 'deny everywhere: a use-mounted handler with a forged token → 401 invalid_token',
    method: 'POST',
    target: '/graphql',
    token: { forged: true },
    headers: BEARER,
    needs: ['routing'],
    expect: refused('ERR_SIGNATURE_INVALID', GRAPHQL),
  },
  {
    name: 'deny everywhere: a use-mounted handler with a valid token is served',
    method: 'POST',
    target: '/graphql',
    token: reader,
    headers: BEARER,
    needs: ['routing'],
    expect: served(200, GRAPHQL),
  },
  {
    name: 'deny everywhere: a sub-application with a valid token is served',
    method: 'GET',
    target: '/admin/stats',
    token: reader,
    headers: BEARER,
    needs: ['routing'],
    expect: served(200, SUB_APP),
  },
  {
    name: 'deny everywhere: static files with a valid token are served',
    method: 'GET',
    target: '/static/hello.txt',
    token: reader,
    headers: BEARER,
    needs: ['routing'],
    expect: served(200, STATIC),
  },
  {
    name: 'deny everywhere: only an authenticated caller sees the application 404',
    method: 'GET',
    target: '/nothing/here',
    token: reader,
    headers: BEARER,
    needs: ['routing'],
    expect: served(404, undefined),
  },
  {
    name: 'CORS: a real preflight reaches the CORS handling alone, without credentials',
    method: 'OPTIONS',
    target: ORDERS,
    headers: preflightHeaders,
    needs: ['routing'],
    expect: {
      status: 204,
      challenge: null,
      bodyError: null,
      handlerRan: false,
      handlerTimed: true,
      audit: { outcome: 'allow', reason: 'OK', route: undefined },
      headers: { 'access-control-allow-origin': CORS_ORIGIN },
    },
  },
  {
    name: 'CORS: a preflight that carries a forged token is refused like any request',
    method: 'OPTIONS',
    target: ORDERS,
    token: { forged: true },
    headers: [...preflightHeaders, ...BEARER],
    needs: ['routing'],
    expect: refused('ERR_SIGNATURE_INVALID', undefined),
  },
  {
    name: 'CORS: OPTIONS with Origin but no Access-Control-Request-Method is no preflight → 401',
    method: 'OPTIONS',
    target: ORDERS,
    headers: [['origin', CORS_ORIGIN]],
    needs: ['routing'],
    expect: refused('ERR_NO_CREDENTIALS', {
      express: undefined,
      koa: undefined,
      fastify: '*',
      hono: undefined,
    }),
  },
  // The policy table covers handlers mounted with `use` like routes.
  {
    name: 'policy table: a use-mounted handler without credentials → 401',
    profile: 'policy',
    method: 'POST',
    target: '/graphql',
    needs: ['routing'],
    expect: refused('ERR_NO_CREDENTIALS', GRAPHQL, { resource_metadata: METADATA_URL }),
  },
  {
    name: 'policy table: a use-mounted handler without the entry scope → 403',
    profile: 'policy',
    method: 'POST',
    target: '/graphql',
    token: reader,
    headers: BEARER,
    needs: ['routing'],
    expect: refused('ERR_INSUFFICIENT_SCOPE', GRAPHQL, {
      scope: 'graphql:query',
      resource_metadata: METADATA_URL,
    }),
  },
  {
    name: 'policy table: a use-mounted handler with the entry scope is served',
    profile: 'policy',
    method: 'POST',
    target: '/graphql',
    token: { scope: 'graphql:query' },
    headers: BEARER,
    needs: ['routing'],
    expect: served(200, GRAPHQL),
  },
  {
    name: 'policy table: a use-mounted handler missing from the table → 403 even with a valid token',
    profile: 'policy',
    method: 'GET',
    target: '/proxy/upstream',
    token: reader,
    headers: BEARER,
    needs: ['routing'],
    expect: refused('ERR_POLICY_NO_MATCH', PROXY, {
      resource_metadata: METADATA_URL,
    }),
  },
];
