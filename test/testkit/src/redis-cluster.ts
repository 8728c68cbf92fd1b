/**
 * A real Redis Cluster for tests: three `redis-server --cluster-enabled yes` processes on free loopback
 * ports (client and bus ports both chosen free), joined with `redis-cli --cluster create`, no replicas,
 * no persistence; stopped afterwards. Missing binaries throw, as for a single server.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endProcess, freePort, launchRedis } from './redis-server.js';

/** A running cluster. */
export interface RedisCluster {
  /** The client ports of the nodes (each owns a third of the slots). */
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

function cli(args: readonly string[]): string {
  const result = spawnSync('redis-cli', args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error || result.status !== 0)
    throw new Error(`redis-cli ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  return result.stdout;
}

/**
 * Starts a three-node cluster and waits until every node reports `cluster_state:ok`.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster();
 * const client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
 * ```
 */
export async function startRedisCluster(nodes = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'nevertrust-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => endProcess(child, 'SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < nodes; index += 1) {
      const port = await freePort();
      const bus = await freePort();
      ports.push(port);
      const args = ['--cluster-enabled', 'yes', '--cluster-port', String(bus)];
      args.push('--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000');
      children.push(await launchRedis(port, args, dir));
    }
    cli([
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const started = Date.now();
    while (
      !ports.every((port) => cli(['-p', String(port), 'cluster', 'info']).includes('cluster_state:ok'))
    ) {
      if (Date.now() - started > 20_000) throw new Error('Redis Cluster not ok after 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
