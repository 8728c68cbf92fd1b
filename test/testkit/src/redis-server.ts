/**
 * A real `redis-server` for tests of the shared stores: started on a free loopback port with no
 * persistence, killed (SIGKILL, as a crash would), paused or restarted on the same port, and stopped
 * afterwards. `npm test` installs the server first (scripts/run.mjs); when it is missing anyway this
 * throws — tests of a shared store never skip silently.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A running (or stopped, then restartable) Redis server. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Whether the process is running. */
  running(): boolean;
  /** The process id of the running server (e.g. to pin it to a core with `taskset -p`). */
  pid(): number | undefined;
  /** SIGKILL: the server dies without a goodbye, like a crash or a pulled cable. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server holds every connection open and answers nothing (a hung host). */
  freeze(): void;
  thaw(): void;
  /** Starts a fresh server (empty: no persistence) on the same port. */
  restart(): Promise<void>;
  /** Stops the server for good. */
  stop(): Promise<void>;
}

/** What {@link startRedisServer} takes. */
export interface RedisServerOptions {
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '10mb']`. */
  readonly args?: readonly string[];
}

/** The `redis-server` binary, checked once; the error says how `npm test` installs it. */
export function redisServerBinary(): string {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'redis-server is not installed: `npm test` installs it (scripts/run.mjs runs `apt-get install -y redis-server`); ' +
        'install it by hand with that command to run these tests alone',
    );
  }
  return 'redis-server';
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Starts `redis-server` on `port` without persistence and resolves once it accepts connections. */
export function launchRedis(port: number, args: readonly string[], cwd?: string): Promise<ChildProcess> {
  const child = spawn(
    redisServerBinary(),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) },
  );
  return whenRedisReady(child);
}

/**
 * Resolves with `child` (a redis-server just spawned with piped output) once its log shows `ready` (by
 * default: it accepts connections); kills it and rejects if it is not ready within 10 s or exits first.
 */
export function whenRedisReady(
  child: ChildProcess,
  ready = /Ready to accept connections/,
): Promise<ChildProcess> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server not ready after 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!ready.test(output)) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** Signals `child` (thawing it first) and resolves once it exited. */
export async function endProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // A frozen server does not act on SIGTERM until it is thawed.
  child.kill('SIGCONT');
  child.kill(signal);
  await exited;
}

/**
 * Starts `redis-server --port <free> --bind 127.0.0.1 --save "" --appendonly no`.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const client = new Redis(redis.port, '127.0.0.1');
 * await redis.kill(); // then expect 503s
 * await redis.restart(); // then expect recovery
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const args = options.args ?? [];
  const port = await freePort();
  let child = await launchRedis(port, args);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    running: () => child.exitCode === null && child.signalCode === null,
    pid: () => child.pid,
    kill: () => endProcess(child, 'SIGKILL'),
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    async restart() {
      await endProcess(child, 'SIGKILL');
      child = await launchRedis(port, args);
    },
    stop: () => endProcess(child, 'SIGTERM'),
  };
}
