/**
 * Where nevertrust's RSS after load sits, against the same server without auth: V8's young and old
 * generations, the rest of its heap, ArrayBuffers, and the native remainder — the evidence behind the
 * memory findings, measured in every run rather than once by hand.
 */
import { figure, table } from './markdown-cells.js';
import type { MemoryRow } from './report.js';

/**
 * The markdown lines of the breakdown (none when the run did not measure the parts).
 *
 * @example
 * ```ts
 * parts.push(...memoryPartsSection(analysis.memory));
 * ```
 */
export function memoryPartsSection(memory: readonly MemoryRow[]): string[] {
  const rows = memory.filter((m) => m.variant === 'nevertrust' && m.deltaPartsMb.newSpace.n > 0);
  if (rows.length === 0) return [];
  return [
    '### Where the difference sits',
    '',
    'nevertrust − none after load, paired per round, in MB: V8’s new space (young generation) and old space' +
      ' as committed, the rest of its heap (code, maps, large objects), ArrayBuffers, and what RSS holds beyond' +
      ' them (Node, OpenSSL and the native allocator).',
    '',
    table(
      ['Framework', 'Alg', 'RSS − none', 'new space', 'old space', 'rest of heap', 'ArrayBuffers', 'native'],
      rows.map((m) => [
        m.framework,
        m.alg,
        figure(m.deltaVsNoneMb, 1),
        figure(m.deltaPartsMb.newSpace, 1),
        figure(m.deltaPartsMb.oldSpace, 1),
        figure(m.deltaPartsMb.otherHeap, 1),
        figure(m.deltaPartsMb.arrayBuffers, 1),
        figure(m.deltaPartsMb.native, 1),
      ]),
    ),
    '',
  ];
}
