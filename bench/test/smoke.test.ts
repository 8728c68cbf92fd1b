/**
 * Keeps `npm run bench` from rotting: the smoke profile runs every micro case and one short HTTP case in a
 * few seconds and the report must have its shape — figures present, no failed call, no invalid HTTP case.
 * No performance target is asserted here; targets are judged on the full run.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../src/main.js';
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

    // A cold introspection makes an HTTP round trip on every call: it costs more than a cached answer.
    expect(report.analysis.introspection.map((row) => row.alg)).toEqual([...ALGORITHMS]);
    for (const row of report.analysis.introspection) {
      expect(row.coldMicros.median).toBeGreaterThan(row.cachedMicros.median);
    }

    expect(report.analysis.invalid).toEqual([]);
    const measured = report.analysis.targets.filter((t) => t.pass !== undefined);
    expect(measured.length).toBeGreaterThan(0);
    for (const target of measured) expect(Number.isFinite(target.figure.median)).toBe(true);
  }, 120_000);
});
