/**
 * The bind step for tokens presented as Bearer tokens: checklist D-14, D-15 (RFC 9449 §7.1, §7.2), M-2,
 * M-6 (RFC 8705 §3), attacks #40, #41. A bound token is refused as a Bearer token on every presentation —
 * also when its verification comes from the cache — and a `cnf` nevertrust cannot verify is refused at
 * verification. Certificate-bound tokens stay refused until the certificate check is wired in.
 */
import { describe, expect, it } from 'vitest';
import { confirmationOf } from '../../src/bind/confirmation.js';
import { expectAllow, expectDeny, harness } from '../support.js';
import { dpopHarness } from './dpop-support.js';

const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const X5T = 'A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0';
const BOUND_DESCRIPTION = 'The access token is sender-constrained and cannot be used as a Bearer token';

const BINDINGS: readonly [string, unknown][] = [
  ['cnf.jkt (DPoP, RFC 9449 §6)', { jkt: JKT }],
  ['cnf["x5t#S256"] (mTLS, RFC 8705 §3.1)', { 'x5t#S256': X5T }],
  ['both jkt and x5t#S256 (M-6)', { jkt: JKT, 'x5t#S256': X5T }],
  ['an unknown confirmation method', { kid: 'client-key-1' }],
  ['a malformed thumbprint', { jkt: 'short' }],
  ['an empty cnf object', {}],
  ['a cnf that is not an object', 'jkt'],
  ['cnf: null', null],
];

describe('D-15/M-2: a bound token presented as Bearer is refused, never downgraded', () => {
  it.each(BINDINGS)('%s → 401 ERR_TOKEN_BOUND with the RFC 6750 challenge', async (_name, cnf) => {
    const { mint, evaluateToken, events } = harness();
    const denied = expectDeny(await evaluateToken(mint({ claims: { cnf } })), 'ERR_TOKEN_BOUND', 401);
    expect(denied.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", error_description="${BOUND_DESCRIPTION}"`,
    );
    expect(denied.body).toEqual({ error: 'invalid_token', error_description: BOUND_DESCRIPTION });
    expect(events.at(-1)).toMatchObject({ outcome: 'deny', reason: 'ERR_TOKEN_BOUND' });
    expect(events.at(-1)?.detail).toMatch(/sender-constrained|certificate-bound|DPoP-bound/);
  });

  it.each([
    ['with the verified-token cache', true],
    ['without the cache', false],
  ])('D-15: %s, the same bound token stays refused on every presentation', async (_name, cached) => {
    const { mint, evaluateToken, events } = harness({ guard: cached ? {} : { cache: false } });
    const bound = mint({ claims: { cnf: { jkt: JKT } } });
    const plain = mint();
    for (let round = 0; round < 4; round++) {
      expectDeny(await evaluateToken(bound), 'ERR_TOKEN_BOUND');
      expectAllow(await evaluateToken(plain));
    }
    // The verification of the bound token may come from the cache; the bind step refuses it all the same.
    const boundEvents = events.filter((event) => event.reason === 'ERR_TOKEN_BOUND');
    expect(boundEvents).toHaveLength(4);
    expect(boundEvents.some((event) => event.cacheHit)).toBe(cached);
  });

  it('D-15 with DPoP accepted: the Bearer challenge carries the error, the DPoP challenge names algs', async () => {
    const h = await dpopHarness();
    const denied = expectDeny(await h.evaluateToken(h.mintBound()), 'ERR_TOKEN_BOUND', 401);
    expect(denied.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", error_description="${BOUND_DESCRIPTION}", DPoP algs="ES256 PS256 RS256 EdDSA"`,
    );
    expect(denied.headers['cache-control']).toBe('no-store');
  });

  it('M-2: a certificate-bound token is refused on a TLS connection too (certificate check not wired)', async () => {
    const { mint, guard } = harness();
    const token = mint({ claims: { cnf: { 'x5t#S256': X5T } } });
    const facts = {
      method: 'GET',
      target: '/orders',
      headers: { authorization: [`Bearer ${token}`] },
      tls: { authorized: true, peerCertificate: new Uint8Array([1, 2, 3]) },
    };
    expectDeny(await guard.evaluate(facts), 'ERR_TOKEN_BOUND');
  });

  it('the audit detail names the confirmation methods, never their values', () => {
    const both = confirmationOf({ cnf: { jkt: 'secret-thumbprint', 'x5t#S256': 'x' } });
    expect(both).toEqual({
      ok: false,
      code: 'ERR_TOKEN_BOUND',
      detail:
        'token is sender-constrained (cnf: DPoP key (RFC 9449), TLS client certificate (RFC 8705)); exactly one confirmation method is accepted',
    });
    expect(JSON.stringify(confirmationOf({ cnf: { jkt: 'secret-thumbprint' } }))).not.toContain('secret');
    expect(confirmationOf({ sub: 'user-1' })).toEqual({ ok: true, binding: { type: 'none' } });
    expect(confirmationOf({ cnf: { jkt: JKT } })).toEqual({ ok: true, binding: { type: 'dpop', jkt: JKT } });
  });
});
