/**
 * The one audit event the request gate records per request, on real `node:http` requests and responses:
 * when the response is done, with the final status and how long the handler ran.
 */
import { describe, expect, it, vi } from 'vitest';
import { requireScopes } from '../../src/policy/requirements.js';
import { gateFor, type Handler, READER, startRig } from '../fixtures/gate-rig.js';

describe('the audit event of a gated request', () => {
  it('is one event, at the end, with the final status and how long the handler ran', async () => {
    const rig = await startRig();
    const status = await rig.request(async (req, res) => {
      if (!(await gateFor(rig, req, res).pass([requireScopes('orders:read')]))) return;
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(rig.audit).toHaveLength(0);
      res.writeHead(201).end();
    }, READER);
    expect(status).toBe(201);
    expect(rig.audit).toHaveLength(1);
    expect(rig.audit[0]).toMatchObject({ outcome: 'allow', reason: 'OK', status: 201 });
    expect(rig.audit[0]?.handlerDurationMs).toBeGreaterThanOrEqual(30);
  });

  it('records a refusal with the status written and no handler time', async () => {
    const rig = await startRig();
    expect(
      await rig.request(async (req, res) => {
        await gateFor(rig, req, res).pass([requireScopes('orders:write')]);
      }, READER),
    ).toBe(403);
    expect(rig.audit).toHaveLength(1);
    expect(rig.audit[0]).toMatchObject({ outcome: 'deny', reason: 'ERR_INSUFFICIENT_SCOPE', status: 403 });
    expect(rig.audit[0]).not.toHaveProperty('handlerDurationMs');
  });

  it("is recorded once at 'close' when the client went away before the response finished", async () => {
    const rig = await startRig();
    const status = await rig.request(
      async (req, res) => {
        await gateFor(rig, req, res).pass([requireScopes('orders:read')]);
        await new Promise((resolve) => res.on('close', resolve));
      },
      READER,
      100,
    );
    expect(status).toBe('aborted');
    expect(rig.audit).toHaveLength(1);
    expect(rig.audit[0]).toMatchObject({ outcome: 'allow', status: 200 });
    expect(rig.audit[0]?.handlerDurationMs).toBeGreaterThan(0);
  });

  it('records an undecided request (a 404, middleware that answered) against the default requirement', async () => {
    const rig = await startRig();
    const undecided: Handler = (req, res) => {
      gateFor(rig, req, res);
      res.writeHead(404).end();
    };
    expect(await rig.request(undecided, READER)).toBe(404);
    await vi.waitFor(() => expect(rig.audit).toHaveLength(1));
    expect(await rig.request(undecided)).toBe(404);
    await vi.waitFor(() => expect(rig.audit).toHaveLength(2));
    await rig.guard.flushAudit();
    const described = rig.audit.map(({ outcome, reason, status, requirement }) => ({
      outcome,
      reason,
      status,
      requirement,
    }));
    expect(described).toEqual([
      { outcome: 'allow', reason: 'OK', status: 404, requirement: described[0]?.requirement },
      { outcome: 'deny', reason: 'ERR_NO_CREDENTIALS', status: 404, requirement: described[0]?.requirement },
    ]);
    expect(described[0]?.requirement).toMatch(/authenticated/i);
  });
});
