/**
 * Keeps `npm run bench` from rotting: the smoke profile runs every micro case and one short HTTP case in a
 * few seconds and the report must have its shape — figures present, no failed call, no invalid HTTP case.
 * No performance target is asserted here; targets are judged on the full run.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../src/main.js';
import { renderMarkdown } from '../src/markdown.js';
import { SECTIONS } from '../src/markdown-cells.js';
import { MICRO_CASES } from '../src/micro.js';
import { ALGORITHMS, PROFILES } from '../src/profiles.js';

describe('bench smoke', () => {
  it('measures every micro case and a short HTTP case, with figures and without errors', async () => {
    const report = await runBenchmark(PROFILES.smoke, () => {});

    for (const alg of ALGORITHMS) {
      const micro = report.micro.find((result) => result.alg === alg);
      expect(micro?.cases.map((c) => c.name).sort()).toEqual(Object.values(MICRO_CASES).sort());
      for (const c of micro?.cases ?? []) {
        expect(c.failures, `${alg} ${c.name}`).toBe(0);
        expect(c.samplesNs.length).toBe(PROFILES.smoke.micro.samples);
        expect(c.opsPerSecond).toBeGreaterThan(0);
      }
    }

    const only = PROFILES.smoke.http.only;
    expect(report.http.map((i) => i.variant).sort()).toEqual([...(only?.variants ?? [])].sort());
    for (const instance of report.http) {
      expect(instance.failure).toBeUndefined();
      expect(instance.modes.map((m) => m.mode)).toEqual(['same', 'pool', 'fresh']);
      for (const mode of instance.modes) {
        expect(mode.problems, `${instance.variant} ${mode.mode}`).toEqual([]);
        expect(mode.load.ok2xx).toBeGreaterThan(0);
        expect(mode.requestsPerSecond).toBeGreaterThan(0);
        expect(mode.cpuMicrosPerRequest).toBeGreaterThan(0);
      }
      expect(instance.rssAfterLoad).toBeGreaterThan(0);
    }

    // A DPoP call checks a signature on every request: it can never cost less than a Bearer cache hit.
    expect(report.analysis.dpop.map((row) => row.alg)).toEqual([...ALGORITHMS]);
    for (const row of report.analysis.dpop) expect(row.ratio.median).toBeGreaterThan(1);

    // The certificate-bound case ran, every call allowed, next to the Bearer hit of each algorithm (its
    // set-up refused the token with another certificate, or the case would not exist).
    expect(report.analysis.certificateBound.map((row) => row.alg)).toEqual([...ALGORITHMS]);
    for (const row of report.analysis.certificateBound) expect(row.boundMicros.median).toBeGreaterThan(0);

    // A cold introspection makes an HTTP round trip on every call: it costs more than a cached answer.
    expect(report.analysis.introspection.map((row) => row.alg)).toEqual([...ALGORITHMS]);
    for (const row of report.analysis.introspection) {
      expect(row.coldMicros.median).toBeGreaterThan(row.cachedMicros.median);
    }

    // The report: the price table right after the targets, each micro price with a figure, and the new section.
    const markdown = renderMarkdown(report.info, report.analysis, '## Findings', undefined, undefined, {});
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    expect(headings.slice(0, 3)).toEqual([`## ${SECTIONS.targets}`, `## ${SECTIONS.prices}`, '## Method']);
    expect(headings).toContain(`## ${SECTIONS.certificateBound}`);
    const prices = markdown.slice(markdown.indexOf(`## ${SECTIONS.prices}`), markdown.indexOf('## Method'));
    for (const feature of [
      'DPoP (RFC 9449)',
      'Certificate-bound token (RFC 8705)',
      'introspection (RFC 7662)',
    ]) {
      const rows = prices.split('\n').filter((line) => line.includes(feature));
      expect(rows.length, feature).toBeGreaterThanOrEqual(ALGORITHMS.length);
      for (const row of rows) expect(row, feature).toMatch(/\| \d+\.\d+ \(\d+\.\d+–\d+\.\d+\) × \|/);
    }

    expect(report.analysis.invalid).toEqual([]);
    const measured = report.analysis.targets.filter((t) => t.pass !== undefined);
    expect(measured.length).toBeGreaterThan(0);
    for (const target of measured) expect(Number.isFinite(target.figure.median)).toBe(true);
  }, 120_000);
});
