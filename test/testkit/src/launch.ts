/**
 * Starts a command as a child process for a smoke test — e.g. an example server run the way its README
 * says — and waits until its output shows it is ready. Only the launched process is ever signalled.
 */
import { spawn } from 'node:child_process';

/** How to start a process and recognise that it is ready. */
export interface LaunchOptions {
  readonly cwd: string;
  /** Added to the current environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** A line of output that says the process is ready; its first capture group is returned. */
  readonly ready: RegExp;
  /** Default 30 000 ms. */
  readonly timeoutMs?: number;
}

/** A process started by {@link launchProcess}. */
export interface LaunchedProcess {
  /** The first capture group of the ready line (for example the URL the server listens on). */
  readonly ready: string;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends SIGTERM to this process (SIGKILL after 5 s) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Launches `command args` and resolves once a line of its output matches `options.ready`.
 *
 * @example
 * ```ts
 * const server = await launchProcess(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
 *   cwd: exampleDir, env: { PORT: '0' }, ready: /listening on (\S+)/,
 * });
 * await fetch(`${server.ready}/health`);
 * await server.stop();
 * ```
 */
export function launchProcess(
  command: string,
  args: readonly string[],
  options: LaunchOptions,
): Promise<LaunchedProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`process not ready after ${options.timeoutMs ?? 30_000} ms:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = options.ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ ready: match[1] ?? match[0], output: () => output, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited with ${code} before it was ready:\n${output}`));
    });
  });
}
