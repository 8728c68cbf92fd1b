/**
 * Finding a request's gate again (Express `req`, Koa `ctx.req`, Fastify `request.raw`), failing closed
 * when nevertrust did not see the request, and the route information the gate decides with, on real
 * `node:http` requests and responses.
 */
import { describe, expect, it } from 'vitest';
import { findGate, gateOf, requireGate, requirePrincipal } from '../../src/adapter/gate-lookup.js';
import { routeParams } from '../../src/adapter/route-params.js';
import { NevertrustError } from '../../src/model/errors.js';
import { requireScopes } from '../../src/policy/requirements.js';
import { gateFor, READER, startRig } from '../fixtures/gate-rig.js';

describe('finding the gate', () => {
  it('finds it on the request and the response, from any framework’s handler arguments', async () => {
    const rig = await startRig();
    const seen: unknown[] = [];
    await rig.request(async (req, res) => {
      const gate = gateFor(rig, req, res);
      seen.push(gateOf(req) === gate, gateOf(res) === gate, requireGate(req, 'x') === gate);
      seen.push(findGate([req]) === gate, findGate([{ req }]) === gate, findGate([{ raw: req }]) === gate);
      seen.push(findGate([]), findGate([null]), findGate(['req']), gateOf(undefined), gateOf('req'));
      res.end();
    });
    expect(seen).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('fails closed where nevertrust did not see the request: requireGate throws ERR_CONFIG naming the caller', async () => {
    const rig = await startRig();
    let thrown: unknown;
    await rig.request((req, res) => {
      try {
        requireGate(req, 'requireScopes()');
      } catch (error) {
        thrown = error;
      }
      res.end();
    });
    expect(thrown).toBeInstanceOf(NevertrustError);
    expect(thrown).toMatchObject({ code: 'ERR_CONFIG', message: expect.stringContaining('requireScopes()') });
  });

  it('requirePrincipal gives the principal of an allowed request and throws before, or for nobody', async () => {
    const rig = await startRig();
    const seen: unknown[] = [];
    const attempt = (raw: unknown) => {
      try {
        return requirePrincipal(raw).subject;
      } catch (error) {
        return (error as NevertrustError).code;
      }
    };
    await rig.request(async (req, res) => {
      const gate = gateFor(rig, req, res);
      seen.push(attempt(req));
      await gate.pass([requireScopes('orders:read')]);
      seen.push(attempt(req), attempt({}));
      res.end();
    }, READER);
    expect(seen).toEqual(['ERR_INTERNAL', 'user-1', 'ERR_INTERNAL']);
  });
});

describe('route information', () => {
  it('keeps string parameters, joins lists of strings with /, and drops anything else', () => {
    const inherited = Object.create({ inherited: 'x' }) as Record<string, unknown>;
    inherited.id = '42';
    expect({ ...routeParams(inherited) }).toEqual({ id: '42' });
    expect({ ...routeParams({ id: '7', rest: ['a', 'b'], n: 3, mixed: ['a', 1], none: undefined }) }).toEqual(
      {
        id: '7',
        rest: 'a/b',
      },
    );
    expect(routeParams({})).toBe(routeParams({ n: 1 }));
    expect(Object.isFrozen(routeParams({ id: '1' }))).toBe(true);
  });

  it('builds the facts with the route once, and records the route the request was decided on', async () => {
    const rig = await startRig();
    const seen: unknown[] = [];
    await rig.request(async (req, res) => {
      const gate = gateFor(rig, req, res);
      const unrouted = gate.facts;
      const route = { routeId: '/orders/:id', params: { id: '7', extra: 7 } };
      await gate.pass([requireScopes('orders:read')], route);
      const routed = gate.facts;
      await gate.pass([requireScopes('orders:read')], route);
      seen.push(unrouted.routeId, routed.routeId, { ...routed.params }, gate.facts === routed);
      await gate.pass([requireScopes('orders:read')], {});
      seen.push(gate.facts === routed);
      res.end();
    }, READER);
    expect(seen).toEqual([undefined, '/orders/:id', { id: '7' }, true, true]);
    expect(rig.audit.map((event) => event.route)).toEqual(['/orders/:id']);
  });
});
