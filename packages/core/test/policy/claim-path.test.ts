import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { claimPathSchema, formatClaimPath, readClaim, toClaimPath } from '../../src/policy/claim-path.js';

describe('claim paths', () => {
  const claims = JSON.parse(
    '{"realm_access":{"roles":["admin"]},"https://x.test/roles":["ops"],"list":[{"a":1}],"__proto__":{"polluted":true}}',
  ) as Record<string, unknown>;

  it.each([
    [['realm_access', 'roles'], ['admin']],
    [['https://x.test/roles'], ['ops']],
    [['realm_access', 'missing'], undefined],
    [['list', '0', 'a'], undefined],
    [['constructor'], undefined],
    [['toString'], undefined],
    [['__proto__', 'polluted'], true],
    [['realm_access', 'roles', 'length'], undefined],
  ] as const)('#22 reads %o → %o (own properties only, no array indexing)', (path, value) => {
    expect(readClaim(claims, path)).toEqual(value);
  });

  it('splits dotted strings and keeps arrays as segments', () => {
    expect(toClaimPath('a.b', 'x')).toEqual(['a', 'b']);
    expect(toClaimPath(['a.b'], 'x')).toEqual(['a.b']);
    expect(formatClaimPath(['a', 'b'])).toBe('a.b');
    expect(formatClaimPath(['https://x.test/r'])).toBe('["https://x.test/r"]');
  });

  it.each([[''], ['a..b'], [[]], [['']], [42], [Array.from({ length: 17 }, () => 'a')]])(
    'refuses %o',
    (path) => {
      expect(claimPathSchema().safeParse(path).success).toBe(false);
      expect(() => toClaimPath(path as string, 'roleClaim')).toThrow(ConfigError);
      expect(() => toClaimPath(path as string, 'roleClaim')).toThrow(/roleClaim(\[\d+\])?: expected/);
    },
  );
});
