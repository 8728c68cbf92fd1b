/**
 * The parent's side of `fleet-process.ts`: forks one API process per framework (its TypeScript source,
 * run by tsx with the workspace packages resolved to their sources, as vitest does), waits for the port it
 * reports over IPC, and asks it things with a bounded wait. Only the forked processes are ever signalled.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Framework } from './apps.js';
import type { FleetProcessConfig, FleetRequest } from './fleet-process.js';

const tsx = createRequire(import.meta.url).resolve('tsx');
const SCRIPT = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));

/** One forked API process. */
export interface AppProcess {
  readonly framework: Framework;
  readonly port: number;
  /** Sends a request and resolves with the answer; rejects after `timeoutMs` (default 10 s). */
  ask<T>(type: FleetRequest['type'], extra?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Asks the process to exit; SIGKILL if it has not within 5 s. */
  stop(): Promise<void>;
}

interface Answer {
  readonly id?: number;
  readonly type?: string;
  readonly port?: number;
  readonly error?: string;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Forks the app of `config.framework` and resolves once it listens (at most 30 s: tsx compiles on start).
 *
 * @example
 * ```ts
 * const app = await forkApp({ framework: 'koa', redisPort, prefix, issuer, audience, jwk, dpopOrigin, limit: 20 });
 * await app.ask('revoke', { tokenId: 'j1' });
 * await app.stop();
 * ```
 */
export function forkApp(config: FleetProcessConfig): Promise<AppProcess> {
  const child = fork(SCRIPT, [JSON.stringify(config)], {
    execArgv: ['--conditions=nevertrust-source', '--import', tsx],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (answer: Answer) => void>();
  let nextId = 1;
  child.on('message', (answer: Answer) => {
    if (answer.id !== undefined) pending.get(answer.id)?.(answer);
  });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (exited(child)) return;
    if (child.connected) child.send({ id: 0, type: 'exit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };
  const ask = <T>(type: FleetRequest['type'], extra: Record<string, unknown> = {}, timeoutMs = 10_000) => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${config.framework} process: no answer to ${type} in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        pending.delete(id);
        if (answer.error) reject(new Error(`${config.framework} process: ${answer.error}`));
        else resolve(answer as T);
      });
      child.send({ ...extra, id, type });
    });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${config.framework} process did not listen within 30 s`));
    }, 30_000);
    child.on('message', (answer: Answer) => {
      if (answer.type !== 'ready' || answer.port === undefined) return;
      clearTimeout(timer);
      resolve({ framework: config.framework, port: answer.port, ask, stop });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${config.framework} process exited (${signal ?? code}) before it listened`));
    });
  });
}
