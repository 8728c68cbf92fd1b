/** Small robust statistics: benchmarks report medians and ranges, never a single run. */

/** Median, minimum and maximum of a list of figures. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/**
 * Summarises `values` (NaN when empty).
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]); // { median: 2, min: 1, max: 3, n: 3 }
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const middle = Math.floor(n / 2);
  const median =
    n % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[n - 1] as number, n };
}

/**
 * A deterministic permutation of `items` for round `round`, so every run interleaves cases the same way
 * while no case always runs first or last.
 *
 * @example
 * ```ts
 * shuffled(['a', 'b', 'c'], 1);
 * ```
 */
export function shuffled<T>(items: readonly T[], round: number): T[] {
  const result = [...items];
  let seed = (round + 1) * 2654435761;
  for (let i = result.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}
