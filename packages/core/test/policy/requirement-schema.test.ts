import { describe, expect, it } from 'vitest';
import { assertRequirement, requirementProblems } from '../../src/adapter.js';
import { ConfigError } from '../../src/index.js';

const TYPES =
  'public, authenticated, scopes, roles, claim, predicate, kind, method, ownership, address, authentication, binding, workload, and, or, not';

describe('the requirement schema names the path of each bad part and what was expected', () => {
  const cases: [string, unknown, string[]][] = [
    ['not an object', 'scopes', [`r: expected a requirement (one of ${TYPES})`]],
    ['an unknown type', { type: 'admin' }, [`r.type: expected one of ${TYPES}`]],
    [
      'scopes: bad match and an empty list',
      { type: 'scopes', match: 'most', scopes: [] },
      [
        'r.match: expected all or any',
        'r.scopes: expected a non-empty array of scope tokens (RFC 6749 §3.3)',
      ],
    ],
    [
      'scopes: entries that are no scope token',
      { type: 'scopes', match: 'all', scopes: ['a b', 3] },
      [
        'r.scopes[0]: expected a scope token (RFC 6749 §3.3)',
        'r.scopes[1]: expected a scope token (RFC 6749 §3.3)',
      ],
    ],
    [
      'roles: not an array',
      { type: 'roles', match: 'any', roles: 'admin' },
      ['r.roles: expected a non-empty array of role names'],
    ],
    [
      'claim: an empty path segment (attack #22) and two values for equals',
      { type: 'claim', claim: 'a..b', test: 'equals', values: [1, 2] },
      ['r.claim[1]: expected non-empty path segments', 'r.values: expected exactly one value for equals'],
    ],
    [
      'claim: an unknown test',
      { type: 'claim', claim: 'a', test: 'matches' },
      ['r.test: expected equals, one-of, includes or custom'],
    ],
    [
      'claim: objects and Infinity are no JSON primitives',
      { type: 'claim', claim: ['a'], test: 'one-of', values: [{}, Number.POSITIVE_INFINITY] },
      [
        'r.values[0]: expected a JSON primitive (string, number, boolean or null)',
        'r.values[1]: expected a JSON primitive (string, number, boolean or null)',
      ],
    ],
    [
      'claim: a custom test without name and function',
      { type: 'claim', claim: 'a', test: 'custom' },
      ['r.name: expected a non-empty string', 'r.check: expected a function'],
    ],
    [
      'predicate: no name, no function',
      { type: 'predicate' },
      ['r.name: expected a non-empty string', 'r.test: expected a function'],
    ],
    ['kind: unknown', { type: 'kind', kind: 'robot' }, ['r.kind: expected user or service']],
    [
      'method: not a token',
      { type: 'method', methods: ['GE T'] },
      ['r.methods[0]: expected a method name (RFC 9110 token)'],
    ],
    [
      'ownership: no parameter',
      { type: 'ownership', param: '', claim: 'sub' },
      ['r.param: expected a route parameter name'],
    ],
    [
      'address: a prefix too long',
      { type: 'address', cidrs: ['10.0.0.0/33'] },
      ['r.cidrs[0]: expected a CIDR range such as 10.0.0.0/8 or 2001:db8::/32'],
    ],
    [
      'authentication: nothing asked',
      { type: 'authentication' },
      ['r: expected at least one of acr, amr, maxAgeSeconds'],
    ],
    [
      'authentication: an acr with a space, a negative age',
      { type: 'authentication', acr: ['a b'], maxAgeSeconds: -1 },
      [
        'r.acr[0]: expected an acr value (no space, " or \\)',
        'r.maxAgeSeconds: expected a non-negative integer',
      ],
    ],
    [
      'and: empty',
      { type: 'and', requirements: [] },
      ['r.requirements: expected a non-empty array of requirements'],
    ],
    [
      'or: public inside (an address is never a reason to skip authentication)',
      { type: 'or', requirements: [{ type: 'authenticated' }, { type: 'public' }] },
      ["r.requirements[1]: public is only allowed as a whole route's requirement"],
    ],
  ];

  it.each(cases)('%s', (_name, value, problems) => {
    expect(requirementProblems(value, 'r')).toEqual(problems);
    expect(() => assertRequirement(value, 'r')).toThrow(ConfigError);
  });

  it('accepts a well-formed tree and returns the value itself', () => {
    const value = {
      type: 'and',
      requirements: [
        { type: 'authentication', maxAgeSeconds: 0 },
        { type: 'not', requirement: { type: 'address', cidrs: ['10.0.0.0/8', '2001:db8::/32'] } },
      ],
    };
    expect(requirementProblems({ type: 'public' })).toEqual([]);
    expect(assertRequirement(value)).toBe(value);
  });

  it('stops at 16 levels, also for a cyclic value, instead of exhausting the stack', () => {
    const cyclic: { type: 'not'; requirement?: unknown } = { type: 'not' };
    cyclic.requirement = cyclic;
    const problems = requirementProblems(cyclic, 'r');
    expect(problems).toEqual([`r${'.requirement'.repeat(17)}: requirements nest at most 16 levels deep`]);
    let sixteen: unknown = { type: 'authenticated' };
    for (let depth = 0; depth < 16; depth++) sixteen = { type: 'not', requirement: sixteen };
    expect(requirementProblems(sixteen)).toEqual([]);
  });

  it('never repeats a received value', () => {
    const SECRET = 'RECOGNISABLE-secret-value';
    const values = [
      { type: SECRET },
      { type: 'scopes', match: SECRET, scopes: [`${SECRET} x`] },
      { type: 'address', cidrs: [`${SECRET}/8`] },
      { type: 'method', methods: [`${SECRET} x`] },
      { type: 'kind', kind: SECRET },
      { type: 'claim', claim: [SECRET, ''], test: SECRET },
      { type: 'authentication', acr: [`${SECRET} x`], maxAgeSeconds: SECRET },
    ];
    for (const value of values) expect(requirementProblems(value).join('\n')).not.toContain('RECOGNISABLE');
  });
});
