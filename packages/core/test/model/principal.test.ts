/**
 * The principal handlers see: who (user or service), what (scopes), and a deep-frozen, null-prototype copy
 * of the verified claims (attack #22). It never holds the raw token.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/index.js';
import { AUDIENCE, expectAllow, harness, ISSUER, NOW } from '../support.js';

async function principalOf(claims: Record<string, unknown>, issuer = {}): Promise<Principal> {
  const { mint, evaluateToken } = harness({ issuer });
  const principal = expectAllow(await evaluateToken(mint({ claims }))).principal;
  if (!principal) return expect.fail('allow without a principal');
  return principal;
}

describe('user or service', () => {
  it('a token for a person is a user principal with every field mapped', async () => {
    const principal = await principalOf({
      sub: 'user-1',
      client_id: 'spa',
      scope: 'orders:read',
      jti: 'j-1',
      acr: 'urn:mfa',
      amr: ['pwd', 'otp'],
      auth_time: NOW - 60,
    });
    expect(principal).toMatchObject({
      subject: 'user-1',
      clientId: 'spa',
      kind: 'user',
      issuer: ISSUER,
      audience: [AUDIENCE],
      scopes: ['orders:read'],
      tokenId: 'j-1',
      expiresAt: NOW + 300,
      issuedAt: NOW,
      authentication: { acr: 'urn:mfa', amr: ['pwd', 'otp'], authTime: NOW - 60 },
      binding: { type: 'none' },
    });
  });

  it.each([
    ['sub equals client_id (RFC 9068 client credentials)', { sub: 'svc-a', client_id: 'svc-a' }],
    ['Auth0 gty client-credentials', { sub: 'svc-a@clients', client_id: 'other', gty: 'client-credentials' }],
    ['Auth0 <client>@clients subject', { sub: 'svc-a@clients', client_id: 'svc-a' }],
    ['Entra idtyp app', { sub: 'oid-1', client_id: 'app-1', idtyp: 'app' }],
  ])('%s → service', async (_name, claims) => {
    expect((await principalOf(claims)).kind).toBe('service');
  });

  it.each([
    ['a subject merely containing the client id', { sub: 'svc-a-user', client_id: 'svc-a' }],
    ['a @clients subject of another client', { sub: 'svc-b@clients', client_id: 'svc-a' }],
    ['gty of another grant', { sub: 'u', client_id: 'c', gty: 'password' }],
  ])('%s → user', async (_name, claims) => {
    expect((await principalOf(claims)).kind).toBe('user');
  });

  it.each([
    ['azp', { azp: 'from-azp' }, 'from-azp'],
    ['Okta cid', { cid: 'from-cid' }, 'from-cid'],
    ['Entra appid', { appid: 'from-appid' }, 'from-appid'],
  ])('without client_id the client id comes from %s', async (_name, claims, expected) => {
    const principal = await principalOf({ client_id: undefined, ...claims }, { requiredClaims: ['sub'] });
    expect(principal.clientId).toBe(expected);
  });
});

describe('#22: claims are a frozen, null-prototype copy', () => {
  it('the principal and everything in it is frozen', async () => {
    const principal = await principalOf({ ext: { roles: ['a', { b: [1] }] }, amr: ['pwd'] });
    expect(Object.isFrozen(principal)).toBe(true);
    for (const part of [
      principal.scopes,
      principal.audience,
      principal.authentication,
      principal.binding,
      principal.claims,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    const ext = principal.claims.ext as { roles: [string, { b: number[] }] };
    expect(Object.isFrozen(ext)).toBe(true);
    expect(Object.isFrozen(ext.roles)).toBe(true);
    expect(Object.isFrozen(ext.roles[1])).toBe(true);
    expect(Object.isFrozen(ext.roles[1].b)).toBe(true);
    expect(() => {
      (principal.claims as Record<string, unknown>).admin = true;
    }).toThrow(TypeError);
    expect(() => {
      (principal.scopes as string[]).push('admin');
    }).toThrow(TypeError);
  });

  it('claim objects have no prototype, so inherited names read as absent', async () => {
    const principal = await principalOf({ ext: { a: 1 }, list: [{ x: 1 }] });
    expect(Object.getPrototypeOf(principal.claims)).toBeNull();
    expect(Object.getPrototypeOf(principal.claims.ext)).toBeNull();
    expect(Object.getPrototypeOf((principal.claims.list as object[])[0])).toBeNull();
    expect(principal.claims.constructor).toBeUndefined();
    expect('toString' in principal.claims).toBe(false);
    expect('hasOwnProperty' in principal.claims).toBe(false);
  });

  it('claims named like Object.prototype members are plain data', async () => {
    const principal = await principalOf({
      constructor: { prototype: { admin: true } },
      toString: 'x',
      scope: 'constructor',
    });
    expect(principal.claims.toString).toBe('x');
    expect(principal.scopes).toEqual(['constructor']);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'admin')).toBe(false);
  });

  it('very deep claims are copied to a bounded depth without failing', async () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 100; level++) deep = { d: deep };
    const principal = await principalOf({ deep });
    let node = principal.claims.deep as Record<string, unknown> | undefined;
    let depth = 0;
    while (node && typeof node === 'object') {
      node = node.d as Record<string, unknown> | undefined;
      depth++;
    }
    expect(depth).toBeGreaterThan(10);
    expect(depth).toBeLessThan(100);
  });

  it('the principal never holds the raw token', async () => {
    const { mint, evaluateToken } = harness();
    const token = mint();
    const principal = expectAllow(await evaluateToken(token)).principal;
    const text = JSON.stringify(principal);
    for (const segment of token.split('.')) expect(text).not.toContain(segment.slice(0, 16));
  });
});
