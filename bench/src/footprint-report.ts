/**
 * The footprint figures as the report gives them: each auth subject next to the same app without auth —
 * installed size and start-up RSS added, modules its import loads, its import time — as the footprint
 * table (`bench/results/footprint.md`) and as rows of the price table.
 */
import type { FootprintRow } from './footprint.js';

/** One auth subject's footprint next to its bare framework. */
export interface FootprintAdded {
  readonly name: string;
  readonly installedAddedBytes: number;
  readonly modules: number;
  readonly importMs: number;
  readonly rssAddedBytes: number;
  /** nevertrust only: zod/mini alone in the same app (installed size of zod, RSS added over the bare app). */
  readonly zod?: Omit<FootprintAdded, 'name' | 'zod'>;
}

/**
 * Every auth subject with a bare app of its framework, in the order measured.
 *
 * @example
 * ```ts
 * footprintAdded(rows).find((row) => row.name === 'nevertrust (express)')?.rssAddedBytes;
 * ```
 */
export function footprintAdded(rows: readonly FootprintRow[]): FootprintAdded[] {
  const base = (framework: string) => rows.find((row) => row.name === `${framework} (no auth)`);
  return rows.flatMap((row) => {
    if (row.name.endsWith('(no auth)')) return [];
    const bare = base(row.name.includes('fastify') ? 'fastify' : 'express');
    if (!bare) return [];
    const zod = row.zod && {
      installedAddedBytes: row.zod.installedBytes,
      modules: row.zod.modules,
      importMs: row.zod.importMs,
      rssAddedBytes: row.zod.rssBytes - bare.rssBytes,
    };
    return [
      {
        name: row.name,
        installedAddedBytes: row.installedBytes - bare.installedBytes,
        modules: row.modules,
        importMs: row.importMs,
        rssAddedBytes: row.rssBytes - bare.rssBytes,
        ...(zod ? { zod } : {}),
      },
    ];
  });
}

/**
 * Bytes as MB with one decimal.
 *
 * @example
 * ```ts
 * mb(12_582_912); // '12.0'
 * ```
 */
export const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1);

/**
 * The table: each auth subject next to its bare framework (added size and RSS).
 *
 * @example
 * ```ts
 * writeFileSync('bench/results/footprint.md', footprintMarkdown(rows));
 * ```
 */
export function footprintMarkdown(rows: readonly FootprintRow[]): string {
  const line = (name: string, f: Omit<FootprintAdded, 'name' | 'zod'>) =>
    `| ${name} | ${mb(f.installedAddedBytes)} MB | ${f.modules} | ${f.importMs.toFixed(0)} ms | ${mb(f.rssAddedBytes)} MB |`;
  const lines = [
    '| app | installed size added | modules loaded by the import | import time | start-up RSS added |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of footprintAdded(rows)) {
    lines.push(line(row.name, row));
    // zod's share: the same app importing zod/mini alone (its import time and RSS measured on their own).
    if (row.zod) lines.push(line('↳ of which zod/mini alone', row.zod));
  }
  return lines.join('\n');
}
