/**
 * The cells and tables of the Markdown report, shared by the report's sections (`markdown.ts` and the
 * sections kept next to their analysis, such as `introspection-report.ts`).
 */
import type { Summary } from './stats.js';

function digits(value: number): number {
  const magnitude = Math.abs(value);
  return magnitude >= 1000 ? 0 : magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
}

/**
 * A number with `places` decimals (by default fewer as it grows), or a dash when it is not finite.
 *
 * @example
 * ```ts
 * num(12.345); // '12.3'
 * ```
 */
export function num(value: number, places = digits(value)): string {
  return Number.isFinite(value) ? value.toFixed(places) : '–';
}

/**
 * `median (min–max)`, or a dash when nothing valid was measured.
 *
 * @example
 * ```ts
 * figure({ median: 0.9, min: 0.85, max: 0.95, n: 3 }, 2); // '0.90 (0.85–0.95)'
 * ```
 */
export function figure(summary: Summary, places?: number): string {
  if (summary.n === 0) return '–';
  const p = places ?? digits(summary.median);
  if (summary.n === 1) return num(summary.median, p);
  return `${num(summary.median, p)} (${num(summary.min, p)}–${num(summary.max, p)})`;
}

/**
 * A Markdown table.
 *
 * @example
 * ```ts
 * table(['alg', 'µs'], [['RS256', '31.2']]);
 * ```
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * The titles of the report's sections that other sections point to (the price table's "detail" column).
 *
 * @example
 * ```ts
 * `## ${SECTIONS.dpop}`;
 * ```
 */
export const SECTIONS = {
  targets: 'Targets',
  prices: 'What each feature costs',
  dpop: 'DPoP next to Bearer (micro)',
  certificateBound: 'Certificate-bound next to Bearer (micro)',
  introspection: 'Opaque token by introspection next to a JWT (micro)',
  redis: 'Shared stores on Redis next to in-process stores (micro)',
  footprint: 'Footprint (`npm run bench -- --footprint`)',
  http: 'HTTP throughput',
} as const;

/**
 * A link to a heading of the same document, with the anchor GitHub gives it (lower case; punctuation
 * other than `-` and `_` dropped; each space a `-`).
 *
 * @example
 * ```ts
 * sectionLink('DPoP next to Bearer (micro)'); // '[DPoP next to Bearer (micro)](#dpop-next-to-bearer-micro)'
 * ```
 */
export function sectionLink(title: string): string {
  const anchor = title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
  return `[${title}](#${anchor})`;
}
