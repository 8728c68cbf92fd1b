/**
 * A real Redis Sentinel deployment for tests: a primary and a replica (`redis-server`, no persistence) and
 * one sentinel (`redis-server <config> --sentinel`, quorum 1, primary judged down after 1 s), all on free
 * loopback ports; the primary can be killed to make the sentinel fail over to the replica. Missing
 * binaries throw, as for a single server.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endProcess, freePort, launchRedis, redisServerBinary, whenRedisReady } from './redis-server.js';

/** A running Sentinel deployment. */
export interface RedisSentinel {
  /** The name the sentinel monitors the primary under (ioredis `name`). */
  readonly name: string;
  /** The sentinel's port (ioredis `sentinels: [{ host: '127.0.0.1', port }]`). */
  readonly sentinelPort: number;
  /** The port of the primary as the sentinel reports it now. */
  primaryPort(): number;
  /** SIGKILLs the current primary (a crash); resolves with its port. The sentinel then fails over. */
  killPrimary(): Promise<number>;
  stop(): Promise<void>;
}

function cli(port: number, args: readonly string[]): string {
  const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 });
  if (result.error || result.status !== 0)
    throw new Error(`redis-cli ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout;
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a primary, a replica of it and a sentinel, and resolves once the sentinel knows the replica.
 *
 * @example
 * ```ts
 * const sentinel = await startRedisSentinel();
 * const client = new Redis({ sentinels: [{ host: '127.0.0.1', port: sentinel.sentinelPort }], name: sentinel.name });
 * await sentinel.killPrimary(); // the client reconnects to the promoted replica
 * ```
 */
export async function startRedisSentinel(): Promise<RedisSentinel> {
  const name = 'nevertrust';
  const dir = mkdtempSync(join(tmpdir(), 'nevertrust-redis-sentinel-'));
  const servers = new Map<number, ChildProcess>();
  let sentinel: ChildProcess | undefined;
  const stop = async () => {
    await Promise.all(
      [...servers.values(), ...(sentinel ? [sentinel] : [])].map((c) => endProcess(c, 'SIGTERM')),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [primary, replica, sentinelPort] = [await freePort(), await freePort(), await freePort()];
    // In the private folder: a replica writes the snapshot it receives from the primary to its directory.
    servers.set(primary, await launchRedis(primary, [], dir));
    servers.set(replica, await launchRedis(replica, ['--replicaof', '127.0.0.1', String(primary)], dir));
    await until(
      () => cli(replica, ['info', 'replication']).includes('master_link_status:up'),
      'replica in sync',
    );
    // The sentinel rewrites its configuration file, so it gets one of its own in a private folder.
    const config = join(dir, 'sentinel.conf');
    writeFileSync(
      config,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 10000`,
        '',
      ].join('\n'),
    );
    sentinel = await whenRedisReady(
      spawn(redisServerBinary(), [config, '--sentinel'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }),
      // A sentinel logs no "Ready to accept connections"; it is ready once it monitors the primary.
      /\+monitor master/,
    );
    await until(
      () => cli(sentinelPort, ['sentinel', 'replicas', name]).includes(String(replica)),
      'the sentinel discovering the replica',
    );
    const primaryPort = () =>
      Number(cli(sentinelPort, ['sentinel', 'get-master-addr-by-name', name]).split('\n')[1]);
    return {
      name,
      sentinelPort,
      primaryPort,
      async killPrimary() {
        const port = primaryPort();
        const child = servers.get(port);
        if (!child) throw new Error(`no server of this deployment on port ${port}`);
        await endProcess(child, 'SIGKILL');
        return port;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
