import { describe, expect, it } from 'vitest';
import {
  AUTHENTICATED,
  publicRoute,
  requireAddress,
  requireAnyRole,
  requireAnyScope,
  requireAuthentication,
  requireClaim,
  requireKind,
  requireMethod,
  requireOwnership,
  requireRoles,
  requireScopes,
  requireThat,
} from '../../src/index.js';
import { evaluateRequirement, type PolicyInput } from '../../src/policy.js';
import { type Case, input, NOW, principal, scopes, withClaims } from './helpers.js';

const roles = (...held: string[]): Partial<PolicyInput> => ({ roles: new Set(held) });
const auth = (authentication: Principal['authentication']): Partial<PolicyInput> => ({
  principal: principal({ authentication }),
});
type Principal = ReturnType<typeof principal>;

const forms: Case[] = [
  ['public passes', publicRoute(), {}, 'OK'],
  ['authenticated passes', AUTHENTICATED, {}, 'OK'],
  ['AT-12 scopes all-of: all granted', requireScopes('a', 'b'), scopes('a', 'b', 'c'), 'OK'],
  ['AT-12 scopes all-of: one missing', requireScopes('a', 'b'), scopes('a'), 'ERR_INSUFFICIENT_SCOPE'],
  ['AT-12 scopes any-of: one granted', requireAnyScope('a', 'b'), scopes('b'), 'OK'],
  ['AT-12 scopes any-of: none granted', requireAnyScope('a', 'b'), scopes('c'), 'ERR_INSUFFICIENT_SCOPE'],
  [
    '#39 scope match is exact: prefix',
    requireScopes('orders:write'),
    scopes('orders:write-admin'),
    'ERR_INSUFFICIENT_SCOPE',
  ],
  [
    '#39 scope match is exact: case',
    requireScopes('orders:write'),
    scopes('ORDERS:WRITE'),
    'ERR_INSUFFICIENT_SCOPE',
  ],
  [
    '#39 scope match is exact: wildcard',
    requireScopes('orders:write'),
    scopes('orders:*'),
    'ERR_INSUFFICIENT_SCOPE',
  ],
  ['roles all-of: held', requireRoles('admin', 'ops'), roles('admin', 'ops'), 'OK'],
  ['roles all-of: one missing', requireRoles('admin', 'ops'), roles('admin'), 'ERR_ACCESS_DENIED'],
  ['roles any-of: one held', requireAnyRole('admin', 'ops'), roles('ops'), 'OK'],
  ['roles any-of: none held', requireAnyRole('admin', 'ops'), roles('Admin'), 'ERR_ACCESS_DENIED'],
  ['claim equals: same', requireClaim('tenant', { equals: 'acme' }), withClaims({ tenant: 'acme' }), 'OK'],
  [
    'claim equals: other',
    requireClaim('tenant', { equals: 'acme' }),
    withClaims({ tenant: 'acme2' }),
    'ERR_ACCESS_DENIED',
  ],
  [
    'claim equals: no coercion',
    requireClaim('level', { equals: 1 }),
    withClaims({ level: '1' }),
    'ERR_ACCESS_DENIED',
  ],
  ['claim equals: absent', requireClaim('tenant', { equals: 'acme' }), {}, 'ERR_ACCESS_DENIED'],
  ['claim equals: nested path', requireClaim('org.id', { equals: 7 }), withClaims({ org: { id: 7 } }), 'OK'],
  [
    'claim equals: namespaced name',
    requireClaim(['https://x.test/tier'], { equals: 'gold' }),
    withClaims({ 'https://x.test/tier': 'gold' }),
    'OK',
  ],
  [
    'claim one-of: member',
    requireClaim('tier', { oneOf: ['gold', 'silver'] }),
    withClaims({ tier: 'silver' }),
    'OK',
  ],
  [
    'claim one-of: not member',
    requireClaim('tier', { oneOf: ['gold', 'silver'] }),
    withClaims({ tier: 'bronze' }),
    'ERR_ACCESS_DENIED',
  ],
  [
    'claim one-of: array is not a member',
    requireClaim('tier', { oneOf: ['gold'] }),
    withClaims({ tier: ['gold'] }),
    'ERR_ACCESS_DENIED',
  ],
  [
    'claim includes: array holds it',
    requireClaim('groups', { includes: 'eng' }),
    withClaims({ groups: ['ops', 'eng'] }),
    'OK',
  ],
  [
    'claim includes: array lacks it',
    requireClaim('groups', { includes: 'eng' }),
    withClaims({ groups: ['ops'] }),
    'ERR_ACCESS_DENIED',
  ],
  [
    '#39 claim includes: never a substring of a string',
    requireClaim('groups', { includes: 'eng' }),
    withClaims({ groups: 'engineering' }),
    'ERR_ACCESS_DENIED',
  ],
  [
    'claim custom: true',
    requireClaim('age', { satisfies: (v) => typeof v === 'number' && v >= 18, name: 'adult' }),
    withClaims({ age: 30 }),
    'OK',
  ],
  [
    'claim custom: false',
    requireClaim('age', { satisfies: (v) => typeof v === 'number' && v >= 18, name: 'adult' }),
    withClaims({ age: 12 }),
    'ERR_ACCESS_DENIED',
  ],
  [
    'claim custom: truthy is not true',
    requireClaim('age', { satisfies: () => 'yes' as unknown as boolean, name: 'truthy' }),
    {},
    'ERR_ACCESS_DENIED',
  ],
  [
    'claim custom: a throw is a refusal',
    requireClaim('age', {
      satisfies: () => {
        throw new Error('boom');
      },
      name: 'throws',
    }),
    {},
    'ERR_ACCESS_DENIED',
  ],
  [
    '#22 claim path never reaches the prototype',
    requireClaim('constructor', { satisfies: (v) => v !== undefined, name: 'proto' }),
    {},
    'ERR_ACCESS_DENIED',
  ],
  [
    'predicate: true',
    requireThat('is-acme', (i) => i.principal.claims.tenant === 'acme'),
    withClaims({ tenant: 'acme' }),
    'OK',
  ],
  [
    'predicate: false',
    requireThat('is-acme', (i) => i.principal.claims.tenant === 'acme'),
    {},
    'ERR_ACCESS_DENIED',
  ],
  [
    'predicate: throw',
    requireThat('throws', () => {
      throw new TypeError('x');
    }),
    {},
    'ERR_ACCESS_DENIED',
  ],
  ['kind user: user', requireKind('user'), {}, 'OK'],
  ['kind service: user', requireKind('service'), {}, 'ERR_ACCESS_DENIED'],
  ['kind service: service', requireKind('service'), { principal: principal({ kind: 'service' }) }, 'OK'],
  ['method: listed', requireMethod('GET', 'HEAD'), { method: 'HEAD' }, 'OK'],
  ['method: not listed', requireMethod('GET', 'HEAD'), { method: 'DELETE' }, 'ERR_ACCESS_DENIED'],
  ['method: case-sensitive (RFC 9110 §9.1)', requireMethod('GET'), { method: 'get' }, 'ERR_ACCESS_DENIED'],
  ['ownership: sub equals :userId', requireOwnership('userId'), { params: { userId: 'user-1' } }, 'OK'],
  [
    'ownership: other user',
    requireOwnership('userId'),
    { params: { userId: 'user-2' } },
    'ERR_ACCESS_DENIED',
  ],
  ['ownership: parameter missing', requireOwnership('userId'), {}, 'ERR_ACCESS_DENIED'],
  [
    'ownership: other claim',
    requireOwnership('tenantId', 'tenant'),
    { ...withClaims({ tenant: 't1' }), params: { tenantId: 't1' } },
    'OK',
  ],
  [
    'ownership: non-string claim never matches',
    requireOwnership('n', 'num'),
    { ...withClaims({ num: 5 }), params: { n: '5' } },
    'ERR_ACCESS_DENIED',
  ],
  ['address: IPv4 inside', requireAddress('10.0.0.0/8'), { remoteAddress: '10.1.2.3' }, 'OK'],
  ['address: IPv4 outside', requireAddress('10.0.0.0/8'), { remoteAddress: '11.0.0.1' }, 'ERR_ACCESS_DENIED'],
  [
    'address: IPv4-mapped IPv6 peer',
    requireAddress('10.0.0.0/8'),
    { remoteAddress: '::ffff:10.9.9.9' },
    'OK',
  ],
  ['address: IPv6 inside', requireAddress('2001:db8::/32'), { remoteAddress: '2001:db8::7' }, 'OK'],
  ['address: bare address', requireAddress('192.0.2.7'), { remoteAddress: '192.0.2.7' }, 'OK'],
  ['address: unknown peer', requireAddress('0.0.0.0/0'), { remoteAddress: undefined }, 'ERR_ACCESS_DENIED'],
  ['S-1 acr: exact match', requireAuthentication({ acr: ['urn:mfa'] }), auth({ acr: 'urn:mfa' }), 'OK'],
  [
    'S-1 acr: other level',
    requireAuthentication({ acr: ['urn:mfa'] }),
    auth({ acr: 'urn:pwd' }),
    'ERR_INSUFFICIENT_USER_AUTHENTICATION',
  ],
  [
    '#42 acr: trailing space is not equal',
    requireAuthentication({ acr: ['mfa'] }),
    auth({ acr: 'mfa ' }),
    'ERR_INSUFFICIENT_USER_AUTHENTICATION',
  ],
  [
    'S-1 acr: missing',
    requireAuthentication({ acr: ['urn:mfa'] }),
    {},
    'ERR_INSUFFICIENT_USER_AUTHENTICATION',
  ],
  [
    'amr: all methods present',
    requireAuthentication({ amr: ['mfa', 'hwk'] }),
    auth({ amr: ['pwd', 'mfa', 'hwk'] }),
    'OK',
  ],
  [
    'amr: one method missing',
    requireAuthentication({ amr: ['mfa', 'hwk'] }),
    auth({ amr: ['mfa'] }),
    'ERR_INSUFFICIENT_USER_AUTHENTICATION',
  ],
  ['S-3 max_age: recent', requireAuthentication({ maxAgeSeconds: 300 }), auth({ authTime: NOW - 100 }), 'OK'],
  [
    'S-3 max_age: too old',
    requireAuthentication({ maxAgeSeconds: 300 }),
    auth({ authTime: NOW - 900 }),
    'ERR_INSUFFICIENT_USER_AUTHENTICATION',
  ],
  [
    'S-3 max_age: auth_time missing',
    requireAuthentication({ maxAgeSeconds: 300 }),
    {},
    'ERR_INSUFFICIENT_USER_AUTHENTICATION',
  ],
];

describe('requirement forms (table-driven)', () => {
  it.each(forms)('%s', (_name, requirement, overrides, expected) => {
    const result = evaluateRequirement(requirement, input(overrides));
    expect(result.ok ? 'OK' : result.code).toBe(expected);
  });
});
