/**
 * Child processes of the benchmark, each pinned to its own core when `taskset` is available: the server
 * under test (or the micro benchmark) on core 0, the load generator on core 1. They talk over Node's IPC
 * channel with request/response messages carrying an `id`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * The bench package directory (this file runs from `src/`, or compiled from `dist/src/`).
 *
 * @example
 * ```ts
 * join(BENCH_DIR, 'results'); // …/bench/results
 * ```
 */
export const BENCH_DIR = here.endsWith(join('dist', 'src')) ? join(here, '..', '..') : join(here, '..');

/** Which core each role runs on, or why no pinning happens. */
export interface Pinning {
  readonly enabled: boolean;
  readonly serverCore: number | undefined;
  readonly loadCore: number | undefined;
  readonly note: string;
}

/**
 * Detects `taskset` and the number of cores.
 *
 * @example
 * ```ts
 * const pinning = detectPinning(); // { enabled: true, serverCore: 0, loadCore: 1, … }
 * ```
 */
export function detectPinning(): Pinning {
  const cores = availableParallelism();
  const taskset = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  if (taskset.error || taskset.status !== 0) {
    return {
      enabled: false,
      serverCore: undefined,
      loadCore: undefined,
      note: 'taskset unavailable: not pinned',
    };
  }
  if (cores < 2) {
    return { enabled: false, serverCore: undefined, loadCore: undefined, note: `${cores} core: not pinned` };
  }
  return {
    enabled: true,
    serverCore: 0,
    loadCore: 1,
    note: 'taskset: server and micro benchmarks on core 0, load generator on core 1',
  };
}

/** A running child with request/response messaging. */
export interface Child {
  readonly process: ChildProcess;
  request<T>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Asks the child to exit, then kills it if it has not after a grace period. */
  close(): Promise<void>;
}

let nextId = 1;

/**
 * What the children run. Measurements use `dist`: the compiled JavaScript users install, and the bench's own
 * compiled code, on plain Node. tsx would transpile with esbuild's `keepNames`, which wraps every closure
 * created at run time in a `defineProperty` call — charging nevertrust (TypeScript) a cost the peers
 * (JavaScript) never pay — and its loader thread would add to every server's memory. `sources` (tsx and
 * the condition `nevertrust-source`) needs no build and serves the smoke test, which asserts no figure.
 */
export type PackageSource = 'dist' | 'sources';

/**
 * Starts `script` (named by its TypeScript file in `src/`) on `core` when given: compiled, or with tsx.
 *
 * @example
 * ```ts
 * const child = startChild('server-child.ts', 0, 'dist', [JSON.stringify(settings)]);
 * const { port } = await child.request<{ port: number }>({ type: 'ready?' });
 * ```
 */
export function startChild(
  script: string,
  core: number | undefined,
  packages: PackageSource,
  args: readonly string[] = [],
  nodeOptions: readonly string[] = [],
): Child {
  const nodeArgs =
    packages === 'sources'
      ? [
          ...nodeOptions,
          '--conditions=nevertrust-source',
          '--import',
          'tsx',
          join(BENCH_DIR, 'src', script),
          ...args,
        ]
      : [...nodeOptions, join(BENCH_DIR, 'dist', 'src', script.replace(/\.ts$/, '.js')), ...args];
  const [command, commandArgs] =
    core === undefined
      ? [process.execPath, nodeArgs]
      : ['taskset', ['-c', String(core), process.execPath, ...nodeArgs]];
  const child = spawn(command as string, commandArgs as string[], {
    cwd: BENCH_DIR,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let exited: Error | undefined;
  child.on('message', (message: { id?: number; error?: string }) => {
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id as number);
    if (message.error) waiter.reject(new Error(`${script}: ${message.error}`));
    else waiter.resolve(message as never);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`${script} exited (${signal ?? code})`);
    for (const waiter of pending.values()) waiter.reject(exited);
    pending.clear();
  });
  return {
    process: child,
    request<T>(message: Record<string, unknown>, timeoutMs = 120_000) {
      if (exited) return Promise.reject(exited);
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script}: no answer to ${String(message.type)} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ ...message, id });
      });
    },
    async close() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * Serves IPC requests inside a child: `handler` answers each message; `exit` ends the process.
 *
 * @example
 * ```ts
 * serveParent(async (message) => ({ pong: true }));
 * ```
 */
export function serveParent(
  handler: (message: Record<string, unknown>) => Promise<Record<string, unknown>>,
): void {
  process.on('message', (message: Record<string, unknown>) => {
    if (message.type === 'exit') {
      process.disconnect?.();
      process.exit(0);
    }
    handler(message).then(
      (answer) => process.send?.({ ...answer, id: message.id }),
      (error: unknown) =>
        process.send?.({
          id: message.id,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
  // The parent going away ends the child too, so no server outlives a crashed run.
  process.on('disconnect', () => process.exit(0));
}
