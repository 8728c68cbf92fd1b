/**
 * Runs the micro benchmark: for each algorithm, one process per case (all pinned to the server core),
 * sampled in turn — sample 1 of every case in a shuffled order, then sample 2, … — so drift on the machine
 * spreads over every case while no case pays for another's garbage.
 */
import { type Pinning, startChild } from './child.js';
import type { Fixtures } from './fixtures.js';
import { MICRO_CASES, type MicroResult, toCaseResult } from './micro.js';
import { ALGORITHMS, type Profile } from './profiles.js';
import type { Sample } from './sampler.js';
import { shuffled } from './stats.js';

/**
 * Runs every micro case of every algorithm.
 *
 * @example
 * ```ts
 * const micro = await runMicroBenchmarks(fixtures, PROFILES.quick, detectPinning());
 * ```
 */
export async function runMicroBenchmarks(
  fixtures: Fixtures,
  profile: Profile,
  pinning: Pinning,
): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  for (const alg of ALGORITHMS) {
    const members = Object.values(MICRO_CASES).map((name) => ({
      name,
      samples: [] as Sample[],
      child: startChild('micro-child.ts', pinning.serverCore, profile.packages),
    }));
    try {
      await Promise.all(
        members.map(({ name, child }) =>
          child.request(
            {
              type: 'setup',
              alg,
              name,
              identity: fixtures.identity,
              jwk: fixtures.jwks[alg],
              tokenFile: fixtures.tokenFiles[alg],
              settings: profile.micro,
            },
            120_000,
          ),
        ),
      );
      for (const { child } of members) await child.request({ type: 'warmup' });
      for (let round = 0; round < profile.micro.samples; round++) {
        for (const member of shuffled(members, round)) {
          member.samples.push((await member.child.request<{ sample: Sample }>({ type: 'sample' })).sample);
        }
      }
      results.push({ alg, cases: members.map(({ name, samples }) => toCaseResult(name, samples)) });
    } finally {
      await Promise.all(members.map(({ child }) => child.close()));
    }
  }
  return results;
}
