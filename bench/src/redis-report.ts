/**
 * The cost of the Redis stores next to the in-process ones, from the Redis stage (`redis-run.ts`): per pair
 * of cases (with / without a rate limit), CPU and wall time per `evaluate` and their ratios paired per
 * round, and the Redis commands each call sent.
 */
import { figure, table } from './markdown-cells.js';
import { REDIS_CASES } from './redis-case.js';
import type { RedisBenchResult, RedisCaseResult } from './redis-run.js';
import { type Summary, summarize } from './stats.js';

/** One in-process case and its Redis twin. */
export interface RedisRow {
  readonly subject: string;
  readonly localCpuMicros: Summary;
  readonly redisCpuMicros: Summary;
  /** Redis ÷ in-process CPU per call, paired per round. */
  readonly cpuRatio: Summary;
  readonly localWallMicros: Summary;
  readonly redisWallMicros: Summary;
  /** Redis ÷ in-process wall time per call (sequential calls: a round trip shows here), paired per round. */
  readonly wallRatio: Summary;
  /** Commands the Redis case's client sent per call (a script call counts once: round trips at most). */
  readonly sentPerCall: Summary;
  /** Commands the server ran per call (inside scripts too; heartbeats of the live stores included). */
  readonly commandsPerCall: Summary;
  /** The commands the server ran, by name, per call (`evalsha 1.000, hset 1.000`). */
  readonly commands: string;
}

const PAIRS = [
  ['no rate limit', REDIS_CASES.hitLocal, REDIS_CASES.hitRedis],
  ['per-principal rate limit', REDIS_CASES.limitLocal, REDIS_CASES.limitRedis],
] as const;

const micros = (samples: readonly number[]) => summarize(samples.map((ns) => ns / 1000));
const paired = (a: readonly number[], b: readonly number[]) =>
  summarize(b.map((ns, round) => ns / (a[round] ?? Number.NaN)));

/**
 * The rows of the report (a pair with a failed call is left out).
 *
 * @example
 * ```ts
 * analyseRedis(result)[1]?.commandsPerCall.median; // 1: one EVALSHA per request
 * ```
 */
export function analyseRedis(result: RedisBenchResult): RedisRow[] {
  const find = (name: string) => result.cases.find((c) => c.name === name && c.failures === 0);
  return PAIRS.flatMap(([subject, localName, redisName]) => {
    const local = find(localName);
    const redis = find(redisName);
    if (!local || !redis) return [];
    return [
      {
        subject,
        localCpuMicros: micros(local.samplesNs),
        redisCpuMicros: micros(redis.samplesNs),
        cpuRatio: paired(local.samplesNs, redis.samplesNs),
        localWallMicros: micros(local.wallSamplesNs),
        redisWallMicros: micros(redis.wallSamplesNs),
        wallRatio: paired(local.wallSamplesNs, redis.wallSamplesNs),
        sentPerCall: summarize(redis.sentPerCall),
        commandsPerCall: summarize(redis.commandsPerCall),
        commands: commandList(redis),
      },
    ];
  });
}

function commandList(c: RedisCaseResult): string {
  const entries = Object.entries(c.commands).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return 'none';
  return entries.map(([name, count]) => `${name} ${(count / c.operations).toFixed(3)}`).join(', ');
}

/**
 * One line per pair, for the console.
 *
 * @example
 * ```ts
 * for (const line of redisLines(analyseRedis(result))) console.log(line);
 * ```
 */
export function redisLines(rows: readonly RedisRow[]): string[] {
  return rows.map(
    (r) =>
      `  ${r.subject}: CPU ${r.redisCpuMicros.median.toFixed(1)} vs ${r.localCpuMicros.median.toFixed(1)} µs` +
      ` (${r.cpuRatio.median.toFixed(2)}×), wall ${r.redisWallMicros.median.toFixed(1)} vs` +
      ` ${r.localWallMicros.median.toFixed(1)} µs (${r.wallRatio.median.toFixed(2)}×),` +
      ` ${r.sentPerCall.median.toFixed(3)} commands sent per request;` +
      ` server ran ${r.commandsPerCall.median.toFixed(3)} (${r.commands})`,
  );
}

/**
 * The report section (written to `bench/results/redis.md`, included in `docs/benchmarks.md`).
 *
 * @example
 * ```ts
 * writeFileSync('bench/results/redis.md', redisMarkdown(result));
 * ```
 */
export function redisMarkdown(result: RedisBenchResult): string {
  const rows = analyseRedis(result);
  const ping = result.cases.find((c) => c.name === REDIS_CASES.ping && c.failures === 0);
  const failed = result.cases
    .filter((c) => c.failures > 0)
    .map((c) => `${c.name} ⚠ (${c.failures} refusals)`);
  return [
    `Measured ${result.startedAt}, redis-server ${result.redisVersion} on 127.0.0.1 (no persistence), load` +
      ` average ${result.loadAverage}. One \`evaluate\` per call, sequential, ES256 token already cached;` +
      ' each case in a process of its own with its own ioredis client. Commands per request come from' +
      ' `INFO commandstats` read before and after each sample; they include the heartbeats every live store' +
      ' sends (a few per second per process), hence figures a little above a whole number.' +
      ' "Sent" counts the commands the instance\'s own client sent (a script call is one command and one' +
      ' round trip); "server ran" counts what Redis executed, the commands inside a script included.',
    '',
    table(
      [
        'Stores',
        'in-process CPU µs',
        'Redis CPU µs',
        'CPU ratio',
        'in-process wall µs',
        'Redis wall µs',
        'wall ratio',
        'sent / request',
        'server ran / request',
        'by command (server)',
      ],
      rows.map((r) => [
        r.subject,
        figure(r.localCpuMicros, 2),
        figure(r.redisCpuMicros, 2),
        figure(r.cpuRatio, 2),
        figure(r.localWallMicros, 2),
        figure(r.redisWallMicros, 2),
        figure(r.wallRatio, 2),
        figure(r.sentPerCall, 3),
        figure(r.commandsPerCall, 3),
        r.commands,
      ]),
    ),
    ...(ping
      ? [
          '',
          `For scale, one bare ioredis \`PING\` round trip on the same machine: CPU` +
            ` ${figure(micros(ping.samplesNs), 2)} µs, wall ${figure(micros(ping.wallSamplesNs), 2)} µs.`,
        ]
      : []),
    ...(failed.length > 0 ? ['', `Left out: ${failed.join('; ')}.`] : []),
  ].join('\n');
}
