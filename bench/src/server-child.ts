/**
 * A server under test, in its own process (pinned to the server core). It reports its CPU time and memory
 * between marks so the parent can compute CPU per request and RSS after load.
 */
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import type { AppSettings, RunningApp } from './apps/types.js';
import { serveParent } from './child.js';
import type { MemoryParts } from './http.js';

const settings = JSON.parse(process.argv[2] ?? '{}') as AppSettings;
// Only the framework under test is loaded: its start-up time and memory are not inflated by the others.
const starters = {
  express: async () => (await import('./apps/express.js')).startExpress,
  koa: async () => (await import('./apps/koa.js')).startKoa,
  fastify: async () => (await import('./apps/fastify.js')).startFastify,
  hono: async () => (await import('./apps/hono.js')).startHono,
  'nest-express': async () => (await import('./apps/nest.js')).startNest,
  'nest-fastify': async () => (await import('./apps/nest.js')).startNest,
} as const;

let app: RunningApp | undefined;
let startError: string | undefined;
try {
  app = await (await starters[settings.framework]())(settings);
} catch (error) {
  startError = error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Where the process's memory sits, in bytes: V8's heap spaces as committed, and ArrayBuffers (outside it). */
function memoryParts(arrayBuffers: number): MemoryParts {
  const physical = (name: string) =>
    getHeapSpaceStatistics().find((space) => space.space_name === name)?.physical_space_size ?? 0;
  const heap = getHeapStatistics().total_physical_size;
  const newSpace = physical('new_space');
  const oldSpace = physical('old_space');
  return { newSpace, oldSpace, otherHeap: heap - newSpace - oldSpace, arrayBuffers };
}

let mark = { cpu: process.cpuUsage(), at: performance.now() };

serveParent(async (message) => {
  switch (message.type) {
    case 'ready?':
      if (!app) throw new Error(`server did not start: ${startError}`);
      return { port: app.port };
    case 'mark':
      mark = { cpu: process.cpuUsage(), at: performance.now() };
      return {};
    case 'read': {
      const cpu = process.cpuUsage(mark.cpu);
      const memory = process.memoryUsage();
      return {
        cpuMicros: cpu.user + cpu.system,
        wallMs: performance.now() - mark.at,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        memoryParts: memoryParts(memory.arrayBuffers),
      };
    }
    default:
      throw new Error(`unknown message ${String(message.type)}`);
  }
});
