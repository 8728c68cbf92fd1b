/**
 * Client address lists in CIDR notation, matched with Node's `BlockList` (no hand-written address
 * parsing). IPv4-mapped IPv6 peers (`::ffff:10.0.0.1`, what a dual-stack socket reports) match IPv4 ranges.
 */
import { BlockList, isIP } from 'node:net';

/**
 * Why a CIDR string is unusable, or `undefined`.
 *
 * @example
 * ```ts
 * cidrProblem('10.0.0.0/33'); // 'expected a prefix length from 0 to 32 in "10.0.0.0/33"'
 * ```
 */
export function cidrProblem(cidr: unknown): string | undefined {
  if (typeof cidr !== 'string') return 'expected a CIDR string such as 10.0.0.0/8 or 2001:db8::/32';
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `expected an IP address in ${JSON.stringify(cidr)}`;
  if (slash === -1) return undefined;
  const prefix = cidr.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    return `expected a prefix length from 0 to ${max} in ${JSON.stringify(cidr)}`;
  }
  return undefined;
}

/**
 * Compiles CIDR strings (a bare address is a /32 or /128) into a matcher. Callers validate with
 * {@link cidrProblem} first; an invalid entry throws here.
 *
 * @example
 * ```ts
 * const inOffice = compileCidrs(['10.0.0.0/8', '2001:db8::/32']);
 * inOffice('::ffff:10.1.2.3'); // true
 * ```
 */
export function compileCidrs(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    const length = prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix);
    list.addSubnet(address, length, family);
  }
  return (address) => {
    if (address === undefined) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
