import { describe, expect, it } from 'vitest';
import { cidrProblem, compileCidrs } from '../../src/policy/cidr.js';

describe('CIDR lists (node:net BlockList)', () => {
  const inside = compileCidrs(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '0.0.0.0/32']);

  it.each([
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['::ffff:10.0.0.1', true],
    ['::ffff:11.0.0.1', false],
    ['2001:db8:ffff::1', true],
    ['2001:db9::1', false],
    ['', false],
    ['not-an-address', false],
    ['10.0.0.1/8', false],
    [undefined, false],
  ] as const)('%s → %s', (address, expected) => {
    expect(inside(address)).toBe(expected);
  });

  it.each([
    ['10.0.0.0/8', undefined],
    ['::/0', undefined],
    ['10.0.0.0/33', 'expected a prefix length from 0 to 32 in "10.0.0.0/33"'],
    ['2001:db8::/129', 'expected a prefix length from 0 to 128 in "2001:db8::/129"'],
    ['10.0.0.0/-1', 'expected a prefix length from 0 to 32 in "10.0.0.0/-1"'],
    ['10.0.0.0/', 'expected a prefix length from 0 to 32 in "10.0.0.0/"'],
    ['10.0.0/8', 'expected an IP address in "10.0.0/8"'],
    ['example.com/8', 'expected an IP address in "example.com/8"'],
    [42, 'expected a CIDR string such as 10.0.0.0/8 or 2001:db8::/32'],
  ])('validates %o', (cidr, problem) => {
    expect(cidrProblem(cidr)).toBe(problem);
  });
});
