/**
 * The pieces of the core the three adapters share: request facts from Node requests, route markers and
 * declarations, adapter options, the per-request gate and the RFC 9728 metadata route. The adapters'
 * own suites and `test/conformance` exercise them end to end; these tests pin each piece down alone.
 */
import { createServer, type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenIssuer, generateTestKey, startKeyServer } from '@nevertrust/testkit';
import { describe, expect, it, vi } from 'vitest';
import {
  createRouteMarker,
  createRouteMarkers,
  declaredRequirements,
  openGate,
  proceed,
  requirementOf,
  resolveAdapterOptions,
  resourceMetadataResponse,
  toRequestFacts,
  undeclaredRouteProblem,
  watchProperty,
} from '../../src/adapter.js';
import {
  AUTHENTICATED,
  type AuditEvent,
  and,
  ConfigError,
  createGuard,
  not,
  or,
  publicRoute,
  type RequestFacts,
  requireAddress,
  requireAnyScope,
  requireOwnership,
  requireRoles,
  requireScopes,
} from '../../src/index.js';
import { EVALUATE_NOW, type InternalGuard } from '../../src/pipeline/guard.js';

const ISSUER = 'https://idp.adapter-support.test/';
const AUDIENCE = 'https://api.adapter-support.test';

/** Sends one raw request (header lines as given) to a server that hands the request to `inspect`. */
async function receive<T>(lines: string[], inspect: (req: IncomingMessage) => T): Promise<T> {
  let seen: T | undefined;
  const server = createServer((req, res) => {
    seen = inspect(req);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const { connect } = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(`${lines.join('\r\n')}\r\n\r\n`));
      socket
        .on('data', () => socket.destroy())
        .on('close', () => resolve())
        .on('error', reject);
    });
    return seen as T;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('toRequestFacts', () => {
  it('#32 keeps every Authorization line and the socket peer, never a forwarded address', async () => {
    const facts = await receive(
      [
        'GET /orders?x=1 HTTP/1.1',
        'Host: api',
        'Authorization: Bearer a',
        'authorization: Bearer b',
        'X-Forwarded-For: 203.0.113.7',
      ],
      (req) => toRequestFacts(req, req.url ?? ''),
    );
    expect(facts).toMatchObject({
      method: 'GET',
      target: '/orders?x=1',
      remoteAddress: '127.0.0.1',
      tls: undefined,
    });
    expect(facts.headers.authorization).toEqual(['Bearer a', 'Bearer b']);
  });

  it('reads rawHeaders the same way when a request has no headersDistinct (injected requests)', async () => {
    const [distinct, raw] = await receive(
      ['GET / HTTP/1.1', 'Host: api', 'Authorization: Bearer a', 'AUTHORIZATION: Bearer b', 'Accept: x'],
      (req) => {
        const injected = {
          method: req.method,
          rawHeaders: req.rawHeaders,
          socket: req.socket,
        } as IncomingMessage;
        return [toRequestFacts(req, '/').headers, toRequestFacts(injected, '/').headers];
      },
    );
    expect({ ...raw }).toEqual({ ...distinct });
  });
});

describe('markers are requirement values', () => {
  const markers = createRouteMarkers({
    middleware: () => (_req: object) => 'ran',
    rawRequest: (request: { raw: object }) => request.raw,
  });

  it('every builder of the core has a marker of the same name building the same requirement', () => {
    expect(requirementOf(markers.requireRoles('admin'))).toEqual(requireRoles('admin'));
    expect(requirementOf(markers.requireOwnership('id'))).toEqual(requireOwnership('id'));
    expect(requirementOf(markers.requireAddress('10.0.0.0/8'))).toEqual(requireAddress('10.0.0.0/8'));
    expect(requirementOf(markers.publicRoute())).toBe(publicRoute());
    expect(() => markers.requireRoles()).toThrow(/requireRoles\(\)/);
  });

  it('compose with and/or/not, whichever package built them', () => {
    const both = markers.and(markers.requireScopes('a'), requireRoles('b'));
    expect(requirementOf(both)).toEqual(and(requireScopes('a'), requireRoles('b')));
    expect(and(markers.requireScopes('a'), markers.not(markers.requireRoles('b')))).toEqual(
      and(requireScopes('a'), not(requireRoles('b'))),
    );
    expect(or(markers.requireScopes('a'))).toEqual(or(requireScopes('a')));
    // Public is all-or-nothing, also when it arrives as a marker.
    expect(() => and(markers.publicRoute(), requireScopes('a'))).toThrow(ConfigError);
  });

  it('fit the policy table and guard.evaluate as the requirement they carry', async () => {
    const { table } =
      createGuard({
        issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [generateTestKey('ES256').jwk] }],
        policy: { routes: [{ method: 'GET', path: '/x', requirement: markers.requireScopes('a') }] },
      }).policy ?? {};
    expect(table?.match('GET', '/x')?.route.requirement).toEqual(requireScopes('a'));
    const guard = createGuard({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [generateTestKey('ES256').jwk] }],
    });
    const decision = await guard.evaluate(
      { method: 'GET', target: '/x', headers: {} },
      markers.publicRoute(),
    );
    // Anonymous and allowed: the marker was read as the public requirement it carries.
    expect(decision.outcome).toBe('allow');
    await guard.close();
  });

  it('getPrincipal with { optional: true } is undefined for an anonymous caller, never for an unguarded request', () => {
    expect(() => markers.getPrincipal({ raw: {} }, { optional: true })).toThrow(/did not see this request/);
  });
});

describe('route markers', () => {
  it('are middleware when called with a request, and registered with their requirement', () => {
    const middleware = vi.fn((_req: object, _res: object) => 'called');
    const requirement = requireScopes('orders:read');
    const marker = createRouteMarker(requirement, middleware);
    expect(marker({}, {})).toBe('called');
    expect(requirementOf(marker)).toBe(requirement);
    expect(requirementOf(() => undefined)).toBeUndefined();
    expect(declaredRequirements([marker, () => undefined, marker])).toEqual([requirement]);
  });

  it('come from one factory: each states its requirement, names itself, and checks its arguments', () => {
    const made: [unknown, string][] = [];
    const markers = createRouteMarkers({
      middleware: (requirement, what) => {
        made.push([requirement, what]);
        return (_req: object) => what;
      },
      rawRequest: (request: { raw: object }) => request.raw,
    });
    const all = markers.requireScopes('a', 'b');
    expect(requirementOf(all)).toEqual(requireScopes('a', 'b'));
    expect(all({})).toBe('requireScopes()');
    expect(requirementOf(markers.requireAnyScope('a', 'b'))).toEqual(requireAnyScope('a', 'b'));
    expect(requirementOf(markers.publicRoute())).toBe(publicRoute());
    expect(requirementOf(markers.requires(AUTHENTICATED))).toBe(AUTHENTICATED);
    expect(made.map(([, what]) => what)).toEqual([
      'requireScopes()',
      'requireAnyScope()',
      'publicRoute()',
      'requires()',
    ]);
    expect(() => markers.requireScopes()).toThrow(ConfigError);
    expect(() => markers.requires({ type: 'nonsense' } as never)).toThrow(/requires\(\)/);
    // No gate on the raw request: no principal, so a handler never acts for nobody.
    expect(() => markers.getPrincipal({ raw: {} })).toThrow(/no authenticated principal/);
  });
});

describe('adapter options', () => {
  it('an adapter fetches the keys when it is wired: an unreachable provider is logged before any request', async () => {
    const server = await startKeyServer({ keys: [generateTestKey('ES256').jwk] });
    server.setMode('down');
    const lines: string[] = [];
    const logger = { error: (_: object, message: string) => lines.push(message), warn: () => {} };
    const { guard } = resolveAdapterOptions({
      issuers: [{ issuer: server.url, audience: AUDIENCE, jwksUri: server.jwksUri }],
      keyFetch: { ca: server.ca ?? [] },
      logger,
    });
    try {
      await vi.waitFor(() => expect(lines).toHaveLength(1), { timeout: 5000 });
      expect(lines[0]).toContain(`no usable keys for ${server.url}`);
      expect(server.count('/jwks')).toBeGreaterThan(0);
    } finally {
      await guard.close();
      await server.close();
    }
  });

  const issuers = [{ issuer: ISSUER, audience: AUDIENCE, keys: [generateTestKey('ES256').jwk] }];

  it('create a guard the adapter owns, or use one given', () => {
    expect(resolveAdapterOptions({ issuers })).toMatchObject({ denials: 'respond', ownsGuard: true });
    const guard = createGuard({ issuers });
    expect(resolveAdapterOptions({ guard, denials: 'error' })).toEqual({
      guard,
      denials: 'error',
      ownsGuard: false,
    });
  });

  it('name every mistake', () => {
    const guard = createGuard({ issuers });
    expect(() => resolveAdapterOptions({ guard, issuers } as never)).toThrow(
      'issuers: not allowed together with guard',
    );
    expect(() => resolveAdapterOptions({ guard: {} } as never)).toThrow('guard: expected a guard');
    expect(() => resolveAdapterOptions({ issuers, denials: 'log' } as never)).toThrow(
      "denials: expected 'respond'",
    );
    expect(() => resolveAdapterOptions(null as never)).toThrow(ConfigError);
  });
});

describe('the request gate', () => {
  it('evaluates once per requirement, covers weaker ones, and records one event when the response ends', async () => {
    const key = generateTestKey('ES256');
    const mint = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key });
    const audit: AuditEvent[] = [];
    const guard = createGuard({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
      onAudit: (e) => audit.push(e),
    });
    // The gate asks the guard through its internal synchronous entry point when it has one.
    const evaluate = vi.spyOn(guard as InternalGuard, EVALUATE_NOW as never);
    const settings = resolveAdapterOptions({ guard });
    const raw = {
      method: 'GET',
      url: '/orders/1',
      rawHeaders: ['authorization', `Bearer ${mint({ claims: { scope: 'orders:read' } })}`],
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    const response = new ServerResponse(raw);
    const write = vi.fn();
    const gate = openGate(raw, response, settings, '/orders/1', write);
    expect(openGate(raw, response, settings, '/other', write)).toBe(gate);
    const read = requireScopes('orders:read');
    expect(
      await gate.pass([read], { routeId: '/orders/:id', params: { id: '1', list: ['a', 'b'], n: 3 } }),
    ).toBe(true);
    expect(gate.facts).toMatchObject({
      routeId: '/orders/:id',
      params: { id: '1', list: 'a/b' },
    } satisfies Partial<RequestFacts>);
    expect(
      gate.satisfies(read) &&
        gate.satisfies(publicRoute()) &&
        gate.satisfies(AUTHENTICATED) &&
        gate.satisfies(undefined),
    ).toBe(true);
    expect(await gate.pass([read, publicRoute()])).toBe(true);
    expect(evaluate).toHaveBeenCalledTimes(1);
    expect(await gate.pass([requireScopes('orders:write')])).toBe(false);
    expect(write).toHaveBeenCalledWith(expect.objectContaining({ status: 403 }));
    expect(gate.principal).toBeUndefined();
    response.statusCode = 403;
    response.emit('finish');
    response.emit('close');
    expect(audit.map((event) => [event.reason, event.status, event.route])).toEqual([
      ['ERR_INSUFFICIENT_SCOPE', 403, '/orders/:id'],
    ]);
    await guard.close();
  });
});

describe('deciding without a promise (issue 7)', () => {
  function gateFor(guard: ReturnType<typeof createGuard>, token: string, write = vi.fn()) {
    const raw = {
      method: 'GET',
      url: '/orders',
      rawHeaders: ['authorization', `Bearer ${token}`],
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    return openGate(raw, new ServerResponse(raw), resolveAdapterOptions({ guard }), '/orders', write);
  }

  it('a cached token is decided at once, without a promise', async () => {
    const key = generateTestKey('ES256');
    const mint = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key });
    const guard = createGuard({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }] });
    const token = mint({ claims: { scope: 'orders:read' } });
    const read = requireScopes('orders:read');
    // Two verifications admit the token to the cache (a static key may be decided at once already).
    for (const _round of [1, 2]) expect(await gateFor(guard, token).pass([read])).toBe(true);
    expect(gateFor(guard, token).pass([read], { routeId: '/orders' })).toBe(true);
    const write = vi.fn();
    expect(gateFor(guard, token, write).pass([requireScopes('orders:write')])).toBe(false);
    expect(write).toHaveBeenCalledWith(expect.objectContaining({ status: 403 }));
    await guard.close();
  });

  it('proceed: next now on yes, never on no, later on a promise', async () => {
    const next = vi.fn(() => 'next ran');
    expect(proceed(true, next)).toBe('next ran');
    expect(proceed(false, next)).toBeUndefined();
    expect(next).toHaveBeenCalledTimes(1);
    const later = proceed(Promise.resolve(true), next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(await later).toBe('next ran');
    expect(await proceed(Promise.resolve(false), next)).toBeUndefined();
    expect(next).toHaveBeenCalledTimes(2);
    await expect(proceed(Promise.reject(new Error('denied')), next)).rejects.toThrow('denied');
  });
});

describe('watchProperty', () => {
  it('keeps the current value, reports each assignment, and shares its accessors between objects', () => {
    const seen: [object, unknown][] = [];
    const watch = watchProperty<{ route?: unknown }>('route', (target, value) => seen.push([target, value]));
    const first: { route?: unknown } = { route: 'before' };
    const second: { route?: unknown } = {};
    watch.install(first);
    watch.install(second);
    expect(first.route).toBe('before');
    expect(seen).toEqual([]);
    first.route = 'chosen';
    expect(first.route).toBe('chosen');
    expect(second.route).toBeUndefined();
    expect(seen).toEqual([[first, 'chosen']]);
    // One getter and setter for every object: no closure per request (issue 7).
    const accessors = (target: object) => Object.getOwnPropertyDescriptor(target, 'route');
    expect(accessors(first)?.get).toBe(accessors(second)?.get);
    expect(accessors(first)?.set).toBe(accessors(second)?.set);
  });
});

describe('strict mode at registration', () => {
  it('names a route that declares nothing, unless a requirement or a table entry covers it', () => {
    const policy = { strict: true, dryRun: false, table: undefined };
    expect(undeclaredRouteProblem(policy, ['GET'], '/orders', [])).toBe(
      'GET /orders: declares no requirement (policy.strict)',
    );
    expect(undeclaredRouteProblem(policy, ['GET'], '/orders', [publicRoute()])).toBeUndefined();
    expect(undeclaredRouteProblem({ ...policy, strict: false }, ['GET'], '/orders', [])).toBeUndefined();
  });
});

describe('RFC 9728 metadata route', () => {
  it('P-1 answers GET and HEAD of the well-known path only', () => {
    const guard = createGuard({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [generateTestKey('ES256').jwk] }],
      resourceMetadata: { resource: 'https://api.adapter-support.test/v1' },
    });
    const path = '/.well-known/oauth-protected-resource/v1';
    expect(resourceMetadataResponse(guard, 'GET', `${path}?x=1`)?.status).toBe(200);
    expect(resourceMetadataResponse(guard, 'HEAD', path)?.status).toBe(200);
    expect(resourceMetadataResponse(guard, 'POST', path)).toBeUndefined();
    expect(resourceMetadataResponse(guard, 'GET', '/v1')).toBeUndefined();
  });
});
