import { describe, expect, it } from 'vitest';
import { requirementProblems } from '../../src/adapter.js';
import {
  AUTHENTICATED,
  and,
  ConfigError,
  not,
  or,
  publicRoute,
  type Requirement,
  requireAddress,
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
import { describeRequirement, evaluateRequirement, requiredScopesOf } from '../../src/policy.js';
import { type Case, input, scopes, withClaims } from './helpers.js';

const A = requireScopes('a');
const B = requireScopes('b');
const MFA = requireAuthentication({ acr: ['mfa'] });
const composition: Case[] = [
  ['and: both hold', and(A, B), scopes('a', 'b'), 'OK'],
  ['and: one fails', and(A, B), scopes('a'), 'ERR_INSUFFICIENT_SCOPE'],
  ['and: scope failure outranks step-up (RFC 9470 §3)', and(MFA, A), {}, 'ERR_INSUFFICIENT_SCOPE'],
  [
    'and: step-up when only authentication is weak',
    and(A, MFA),
    scopes('a'),
    'ERR_INSUFFICIENT_USER_AUTHENTICATION',
  ],
  ['or: first holds', or(A, B), scopes('a'), 'OK'],
  ['or: second holds', or(A, B), scopes('b'), 'OK'],
  ['or: none holds', or(A, B), {}, 'ERR_INSUFFICIENT_SCOPE'],
  [
    'or: a curable branch is reported as step-up',
    or(requireRoles('admin'), and(A, MFA)),
    scopes('a'),
    'ERR_INSUFFICIENT_USER_AUTHENTICATION',
  ],
  [
    'not: inner holds → refused',
    not(requireClaim('suspended', { equals: true })),
    withClaims({ suspended: true }),
    'ERR_ACCESS_DENIED',
  ],
  ['not: inner fails → allowed', not(requireClaim('suspended', { equals: true })), {}, 'OK'],
  [
    'not: a fault inside not() is not a pass',
    { type: 'not', requirement: { type: 'bogus' } } as unknown as Requirement,
    {},
    'ERR_INTERNAL',
  ],
  [
    'nested: admin or owner',
    or(requireRoles('admin'), requireOwnership('userId')),
    { params: { userId: 'user-1' } },
    'OK',
  ],
  [
    'nested: neither admin nor owner',
    or(requireRoles('admin'), requireOwnership('userId')),
    { params: { userId: 'x' } },
    'ERR_ACCESS_DENIED',
  ],
  ['nested: and(or, not)', and(or(A, B), not(requireKind('service'))), scopes('b'), 'OK'],
  ['unknown type fails closed', { type: 'bogus' } as unknown as Requirement, {}, 'ERR_INTERNAL'],
];

describe('requirement composition (table-driven)', () => {
  it.each(composition)('%s', (_name, requirement, overrides, expected) => {
    const result = evaluateRequirement(requirement, input(overrides));
    expect(result.ok ? 'OK' : result.code).toBe(expected);
  });
});

describe('challenge parameters of failures', () => {
  it('S-2/S-3 a step-up failure carries acr_values and max_age', () => {
    const result = evaluateRequirement(
      requireAuthentication({ acr: ['urn:loa:3', 'urn:loa:4'], maxAgeSeconds: 300 }),
      input(),
    );
    expect(result).toMatchObject({
      ok: false,
      challenge: { acr_values: 'urn:loa:3 urn:loa:4', max_age: '300' },
    });
  });

  it('AT-12 a scope failure names the scopes it needs', () => {
    const result = evaluateRequirement(requireScopes('orders:read', 'orders:write'), input());
    expect(result).toMatchObject({ ok: false, challenge: { scope: 'orders:read orders:write' } });
  });

  it('a role, claim or condition failure carries no scope hint', () => {
    const result = evaluateRequirement(requireRoles('admin'), input());
    expect(result).toMatchObject({ ok: false, challenge: {} });
  });
});

describe('builders reject bad declarations at start-up', () => {
  const bad: readonly [string, () => unknown][] = [
    ['no scopes', () => requireScopes()],
    ['scope with a space', () => requireScopes('a b')],
    ['scope with a quote', () => requireAnyScope('a"')],
    ['no roles', () => requireRoles()],
    ['empty claim path', () => requireClaim('', { equals: 1 })],
    ['object claim value', () => requireClaim('x', { equals: {} as never })],
    ['empty one-of', () => requireClaim('x', { oneOf: [] })],
    ['custom without name', () => requireClaim('x', { satisfies: () => true, name: '' })],
    ['predicate without function', () => requireThat('x', 'nope' as never)],
    ['bad kind', () => requireKind('robot' as never)],
    ['bad method', () => requireMethod('GE T')],
    ['ownership without param', () => requireOwnership('')],
    ['bad CIDR', () => requireAddress('10.0.0.0/33')],
    ['not an address', () => requireAddress('example.com')],
    ['empty authentication', () => requireAuthentication({})],
    ['acr with a space', () => requireAuthentication({ acr: ['a b'] })],
    ['negative max age', () => requireAuthentication({ maxAgeSeconds: -1 })],
    ['empty and', () => and()],
    [
      'public inside or (an address is never a reason to skip authentication)',
      () => or(publicRoute(), requireAddress('10.0.0.0/8')),
    ],
    ['public inside not', () => not(publicRoute())],
  ];
  it.each(bad)('%s', (_name, build) => {
    expect(build).toThrow(ConfigError);
  });

  it('names the path of a nested problem', () => {
    expect(
      requirementProblems(
        { type: 'and', requirements: [A, { type: 'scopes', match: 'all', scopes: [] }] },
        'routes[0]',
      ),
    ).toEqual([
      'routes[0].requirements[1].scopes: expected a non-empty array of scope tokens (RFC 6749 §3.3)',
    ]);
  });

  it('returns frozen plain data', () => {
    const requirement = and(requireScopes('a', 'a'), requireKind('user'));
    expect(Object.isFrozen(requirement)).toBe(true);
    expect(requirement.requirements[0]).toEqual({ type: 'scopes', match: 'all', scopes: ['a'] });
  });
});

describe('requirements as loggable, comparable values', () => {
  it.each([
    [publicRoute(), 'public'],
    [AUTHENTICATED, 'authenticated'],
    [requireScopes('a', 'b'), 'scopes:all'],
    [requireAnyScope('a'), 'scopes:any'],
    [requireRoles('admin'), 'roles:all(admin)'],
    [requireClaim('org.id', { oneOf: ['x', 2] }), 'claim(org.id one-of x 2)'],
    [requireClaim('age', { satisfies: () => true, name: 'adult' }), 'claim(age custom:adult)'],
    [requireThat('hours', () => true), 'predicate(hours)'],
    [requireKind('service'), 'kind(service)'],
    [requireMethod('GET'), 'method(GET)'],
    [requireOwnership('userId'), 'ownership(userId=sub)'],
    [requireAddress('10.0.0.0/8'), 'address(10.0.0.0/8)'],
    [
      requireAuthentication({ acr: ['mfa'], amr: ['hwk'], maxAgeSeconds: 60 }),
      'authentication(acr=mfa amr=hwk max_age=60)',
    ],
    [and(A, or(B, not(requireKind('service')))), 'and(scopes:all(a), or(scopes:all(b), not(kind(service))))'],
  ] as const)('describes %o', (requirement, text) => {
    expect(describeRequirement(requirement)).toBe(text);
  });

  it('equal requirements describe equally', () => {
    expect(describeRequirement(and(requireScopes('a'), requireKind('user')))).toBe(
      describeRequirement(and(requireScopes('a'), requireKind('user'))),
    );
  });

  it('collects every named scope for the audit trail', () => {
    expect(requiredScopesOf(and(A, or(B, requireAnyScope('c', 'a'))))).toEqual(['a', 'b', 'c']);
    expect(requiredScopesOf(requireKind('user'))).toBeUndefined();
  });
});
