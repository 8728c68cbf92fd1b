/**
 * Where nevertrust's RSS after load sits, against the same server without auth: V8's young and old
 * generations, the rest of its heap, ArrayBuffers, and the native remainder — the evidence behind the
 * memory findings, measured in every run rather than once by hand.
 */
import type { InstanceResult } from './http.js';
import { figure, table } from './markdown-cells.js';
import type { MemoryRow } from './report.js';
import { type Summary, summarize } from './stats.js';

const MB = 2 ** 20;

/** {@link MemoryRow.deltaPartsMb}. */
export interface MemoryDeltaParts {
  readonly newSpace: Summary;
  readonly oldSpace: Summary;
  readonly otherHeap: Summary;
  readonly arrayBuffers: Summary;
  readonly native: Summary;
}

const PART_NAMES = ['newSpace', 'oldSpace', 'otherHeap', 'arrayBuffers'] as const;

/** Per round, the difference of each memory part between an instance and the same round's no-auth one. */
export function memoryDeltaParts(pairs: readonly [InstanceResult, InstanceResult][]): MemoryDeltaParts {
  const deltas = { newSpace: [], oldSpace: [], otherHeap: [], arrayBuffers: [], native: [] } as Record<
    keyof MemoryDeltaParts,
    number[]
  >;
  for (const [instance, none] of pairs) {
    const mine = instance.memoryPartsAfterLoad;
    const base = none.memoryPartsAfterLoad;
    if (!mine || !base) continue;
    let parts = 0;
    for (const name of PART_NAMES) {
      const delta = (mine[name] - base[name]) / MB;
      deltas[name].push(delta);
      parts += delta;
    }
    deltas.native.push((instance.rssAfterLoad - none.rssAfterLoad) / MB - parts);
  }
  return {
    newSpace: summarize(deltas.newSpace),
    oldSpace: summarize(deltas.oldSpace),
    otherHeap: summarize(deltas.otherHeap),
    arrayBuffers: summarize(deltas.arrayBuffers),
    native: summarize(deltas.native),
  };
}

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
