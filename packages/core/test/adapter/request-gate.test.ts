/**
 * The per-request gate on real `node:http` requests and responses (a server on 127.0.0.1): when it
 * evaluates, what an earlier decision covers, how its answer comes (now or as a promise), how a refusal
 * leaves, and which gate a request keeps.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../src/adapter/access-denied.js';
import { resolveAdapterOptions } from '../../src/adapter/adapter-options.js';
import { openGate } from '../../src/adapter/request-gate.js';
import type { DenyDecision } from '../../src/model/decision.js';
import { AUTHENTICATED, PUBLIC, type Requirement, requireScopes } from '../../src/policy/requirements.js';
import { gateFor, READER, startRig, writer } from '../fixtures/gate-rig.js';

describe('RequestGate.pass', () => {
  it('evaluates each requirement once; a later pass with the same requirement objects asks nothing', async () => {
    const rig = await startRig();
    const read = requireScopes('orders:read');
    const list = requireScopes('orders:list');
    const seen: unknown[] = [];
    const status = await rig.request(async (req, res) => {
      const gate = gateFor(rig, req, res);
      seen.push(await gate.pass([read, list]), rig.evaluations());
      seen.push(await gate.pass([read, list, PUBLIC, AUTHENTICATED]), rig.evaluations());
      seen.push(await gate.pass([]), rig.evaluations());
      // Covered means the same requirement object: an equal one built elsewhere is decided on its own.
      seen.push(await gate.pass([requireScopes('orders:read')]), rig.evaluations());
      res.end('ok');
    }, READER);
    expect(status).toBe(200);
    expect(seen).toEqual([true, 2, true, 2, true, 2, true, 3]);
    expect(rig.audit).toHaveLength(1);
  });

  it('satisfies: public after any allow, authenticated once a principal exists, else the same object', async () => {
    const rig = await startRig();
    const read = requireScopes('orders:read');
    const anonymous: boolean[] = [];
    await rig.request(async (req, res) => {
      const gate = gateFor(rig, req, res);
      anonymous.push(gate.satisfies(PUBLIC), gate.satisfies(undefined));
      anonymous.push(await gate.pass([PUBLIC]));
      anonymous.push(gate.satisfies(PUBLIC), gate.satisfies({ type: 'public' } as typeof PUBLIC));
      anonymous.push(gate.satisfies(AUTHENTICATED), gate.satisfies(undefined), gate.satisfies(read));
      anonymous.push(gate.principal === undefined);
      res.end();
    });
    expect(anonymous).toEqual([false, false, true, true, true, false, false, false, true]);

    const signedIn: boolean[] = [];
    await rig.request(async (req, res) => {
      const gate = gateFor(rig, req, res);
      signedIn.push(await gate.pass([read]));
      signedIn.push(gate.satisfies(read), gate.satisfies(AUTHENTICATED), gate.satisfies(undefined));
      signedIn.push(gate.satisfies(PUBLIC), gate.principal?.subject === 'user-1');
      signedIn.push(gate.satisfies(requireScopes('orders:read')), gate.satisfies(requireScopes('x:y')));
      // A refusal ends what earlier allows covered: nothing is satisfied after a deny (fail closed).
      signedIn.push(await gate.pass([requireScopes('orders:write')]));
      signedIn.push(gate.satisfies(read), gate.satisfies(PUBLIC), gate.principal === undefined);
    }, READER);
    expect(signedIn).toEqual([true, true, true, true, true, true, false, false, false, false, false, true]);
  });

  it('answers now when nothing was awaited, and with a promise while the keys are fetched', async () => {
    const rig = await startRig(true);
    const read = requireScopes('orders:read');
    const answers: { promise: boolean; passed: boolean }[] = [];
    const observe = (req: IncomingMessage, res: ServerResponse, requirement: Requirement = read) =>
      (async () => {
        const answer = gateFor(rig, req, res).pass([requirement]);
        answers.push({ promise: answer instanceof Promise, passed: await answer });
        if (!res.headersSent) res.end();
      })();
    expect(await rig.request((req, res) => observe(req, res), READER)).toBe(200);
    for (const _round of [1, 2]) await rig.request((req, res) => observe(req, res), READER);
    expect(await rig.request((req, res) => observe(req, res, requireScopes('orders:write')), READER)).toBe(
      403,
    );
    expect(await rig.request((req, res) => observe(req, res))).toBe(401);
    expect(await rig.request((req, res) => observe(req, res, PUBLIC))).toBe(200);
    expect(answers).toEqual([
      { promise: true, passed: true },
      { promise: expect.any(Boolean), passed: true },
      { promise: false, passed: true },
      { promise: false, passed: false },
      { promise: false, passed: false },
      { promise: false, passed: true },
    ]);
  });

  it("with denials: 'error', throws AccessDeniedError now or rejects with it later; nothing is written", async () => {
    const rig = await startRig(true);
    const caught: [string, boolean, number][] = [];
    const handler =
      (requirement = requireScopes('orders:read')) =>
      async (req: IncomingMessage, res: ServerResponse) => {
        const gate = gateFor(rig, req, res, 'error');
        let answer: boolean | Promise<boolean>;
        try {
          answer = gate.pass([requirement]);
        } catch (error) {
          caught.push(['thrown', error instanceof AccessDeniedError, (error as AccessDeniedError).status]);
          res.writeHead((error as AccessDeniedError).status).end();
          return;
        }
        await Promise.resolve(answer).then(
          () => res.end('ran'),
          (error: unknown) => {
            caught.push([
              'rejected',
              error instanceof AccessDeniedError,
              (error as AccessDeniedError).status,
            ]);
            res.writeHead((error as AccessDeniedError).status).end();
          },
        );
      };
    expect(await rig.request(handler(requireScopes('orders:write')), READER)).toBe(403);
    expect(await rig.request(handler())).toBe(401);
    expect(caught).toEqual([
      ['rejected', true, 403],
      ['thrown', true, 401],
    ]);
    expect(rig.audit.map((event) => [event.reason, event.status])).toEqual([
      ['ERR_INSUFFICIENT_SCOPE', 403],
      ['ERR_NO_CREDENTIALS', 401],
    ]);
  });
});

describe('openGate', () => {
  it('keeps the first gate of a request: its facts, its settings and its writer', async () => {
    const rig = await startRig();
    const first: DenyDecision[] = [];
    const second: DenyDecision[] = [];
    const seen: unknown[] = [];
    expect(
      await rig.request(async (req, res) => {
        const gate = openGate(
          req,
          res,
          resolveAdapterOptions({ guard: rig.guard }),
          '/first',
          writer(res, first),
        );
        const errors = resolveAdapterOptions({ guard: rig.guard, denials: 'error' });
        const again = openGate(req, res, errors, '/second', writer(res, second));
        seen.push(again === gate, gate.facts.target);
        seen.push(await again.pass([requireScopes('orders:read')]));
      }),
    ).toBe(401);
    expect(seen).toEqual([true, '/first', false]);
    expect([first.length, second.length]).toEqual([1, 0]);
    expect(rig.audit.map((event) => [event.path, event.status])).toEqual([['/first', 401]]);
  });
});
