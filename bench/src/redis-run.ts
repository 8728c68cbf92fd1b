/**
 * Runs the Redis cases (`redis-case.ts`): starts its own redis-server on a free port (`--save ""
 * --appendonly no`, stopped afterwards; pinned to the load generator's core), one process per case pinned
 * like the micro cases, sampled in turn;
 * around each sample it reads `INFO commandstats` from the server, so every sample knows how many Redis
 * commands its calls sent (no MONITOR: it would slow the server it measures).
 */
import { spawnSync } from 'node:child_process';
import { type RedisServer, startRedisServer } from '@nevertrust/testkit';
import { Redis } from 'ioredis';
import { type Pinning, startChild } from './child.js';
import type { Fixtures } from './fixtures.js';
import { type CaseResult, toCaseResult } from './micro.js';
import type { Profile } from './profiles.js';
import { REDIS_CASES } from './redis-case.js';
import { loadAverage } from './run-info.js';
import type { Sample } from './sampler.js';
import { shuffled } from './stats.js';

/** One Redis case: the micro figures, and the Redis commands sent per call in each sample. */
export interface RedisCaseResult extends CaseResult {
  /** Commands the case's own client sent per call (a script call counts once), one figure per sample. */
  readonly sentPerCall: readonly number[];
  /**
   * Commands the server ran per call, from `INFO commandstats`: those inside scripts included, and the
   * heartbeats of every instance connected during the sample.
   */
  readonly commandsPerCall: readonly number[];
  /** Commands by name over all samples, e.g. `{ evalsha: 41230, spublish: 12 }`. */
  readonly commands: Readonly<Record<string, number>>;
}

/** What the Redis stage measured. */
export interface RedisBenchResult {
  readonly startedAt: string;
  readonly redisVersion: string;
  /** 1-minute load average at the start and the end of the stage. */
  readonly loadAverage: string;
  readonly cases: readonly RedisCaseResult[];
}

/** Calls per command since the server started, `INFO` itself left out (the counter reads it). */
async function commandCalls(client: Redis): Promise<Map<string, number>> {
  const info = await client.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const [, name, count] = match as unknown as [string, string, string];
    if (name !== 'info') calls.set(name, Number(count));
  }
  return calls;
}

function delta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const sent = new Map<string, number>();
  for (const [name, count] of after) {
    const added = count - (before.get(name) ?? 0);
    if (added > 0) sent.set(name, added);
  }
  return sent;
}

/**
 * The algorithm of the token every Redis case presents (a cache hit does not depend on it).
 *
 * @example
 * ```ts
 * `${REDIS_ALG} token`;
 * ```
 */
export const REDIS_ALG = 'ES256';

/**
 * Measures the Redis cases with the ES256 tokens (a cache hit does not depend on the algorithm).
 *
 * @example
 * ```ts
 * const redis = await runRedisBenchmark(fixtures, PROFILES.quick, detectPinning(), console.log);
 * ```
 */
export async function runRedisBenchmark(
  fixtures: Fixtures,
  profile: Profile,
  pinning: Pinning,
  log: (line: string) => void,
): Promise<RedisBenchResult> {
  const startedAt = new Date().toISOString();
  const loadAtStart = loadAverage();
  let server: RedisServer | undefined;
  let counter: Redis | undefined;
  const members = Object.values(REDIS_CASES).map((name) => ({
    name,
    samples: [] as Sample[],
    perCall: [] as number[],
    sentPerCall: [] as number[],
    sentBefore: 0,
    commands: new Map<string, number>(),
    child: startChild('micro-child.ts', pinning.serverCore, profile.packages),
  }));
  try {
    server = await startRedisServer();
    const pid = server.pid();
    // Redis is the far side of the round trip, like the load generator: on the other core, so the core of
    // the measured process is not also running the server.
    if (pinning.enabled && pid !== undefined)
      spawnSync('taskset', ['-a', '-p', '-c', String(pinning.loadCore), String(pid)], { stdio: 'ignore' });
    counter = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
    await counter.connect();
    const redisVersion = /redis_version:(\S+)/.exec(await counter.info('server'))?.[1] ?? 'unknown';
    log(`Redis stores: redis-server ${redisVersion} on port ${server.port}…`);
    const setup = {
      type: 'setup',
      alg: REDIS_ALG,
      identity: fixtures.identity,
      jwk: fixtures.jwks[REDIS_ALG],
      tokenFile: fixtures.tokenFiles[REDIS_ALG],
      // A round trip per call makes few calls per millisecond: longer warm-up and samples than the micro
      // cases, or the first samples still measure the JIT at work (seen: 340 µs falling to 100 µs).
      settings: { ...profile.micro, warmupMs: 3000, sampleMs: Math.max(profile.micro.sampleMs, 200) },
      redisPort: server.port,
    };
    await Promise.all(members.map(({ name, child }) => child.request({ ...setup, name }, 60_000)));
    for (const member of members) {
      await member.child.request({ type: 'warmup' });
      // Commands of the set-up and warm-up are not the samples'.
      const { sent } = await member.child.request<{ sent: number }>({ type: 'sent' });
      member.sentBefore = sent;
    }
    for (let round = 0; round < profile.micro.samples; round++) {
      for (const member of shuffled(members, round)) {
        const before = await commandCalls(counter);
        const { sample, sent: sentTotal } = await member.child.request<{ sample: Sample; sent: number }>({
          type: 'sample',
        });
        const sent = delta(before, await commandCalls(counter));
        member.samples.push(sample);
        member.sentPerCall.push((sentTotal - member.sentBefore) / Math.max(sample.operations, 1));
        member.sentBefore = sentTotal;
        member.perCall.push(
          [...sent.values()].reduce((sum, n) => sum + n, 0) / Math.max(sample.operations, 1),
        );
        for (const [name, count] of sent) member.commands.set(name, (member.commands.get(name) ?? 0) + count);
      }
    }
    return {
      startedAt,
      redisVersion,
      loadAverage: `${loadAtStart} → ${loadAverage()}`,
      cases: members.map(({ name, samples, perCall, sentPerCall, commands }) => ({
        ...toCaseResult(name, samples),
        sentPerCall,
        commandsPerCall: perCall,
        commands: Object.fromEntries(commands),
      })),
    };
  } finally {
    await Promise.all(members.map(({ child }) => child.close()));
    counter?.disconnect();
    await server?.stop();
  }
}
