/**
 * The load generator, in its own process (pinned to the load core): autocannon against one server, with
 * the same token on every request (built once), or a token chosen per request from a shared counter — a
 * rotating pool, or a token never sent before. Ratios compare variants within one mode, so the generator's
 * cost, which differs between modes, is the same on both sides of every ratio.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { serveParent } from './child.js';
import type { TokenSet } from './fixtures.js';

/** How tokens are chosen. */
export type TokenMode = 'same' | 'pool' | 'fresh';

/** One load run, as the parent asks for it. */
export interface LoadRequest {
  readonly url: string;
  readonly tokenFile: string;
  readonly mode: TokenMode;
  readonly durationMs: number;
  readonly connections: number;
  /** Stop after this many responses (fresh mode: never more than there are tokens). */
  readonly amount?: number;
}

/** What one load run measured. */
export interface LoadResult {
  readonly responses: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly durationMs: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Requests built; in fresh mode, distinct tokens used. */
  readonly tokensUsed: number;
  readonly tokensAvailable: number;
}

const tokenSets = new Map<string, TokenSet>();

function tokensOf(file: string): TokenSet {
  let set = tokenSets.get(file);
  if (!set) {
    set = JSON.parse(readFileSync(file, 'utf8')) as TokenSet;
    tokenSets.set(file, set);
  }
  return set;
}

async function load(request: LoadRequest): Promise<LoadResult> {
  const set = tokensOf(request.tokenFile);
  const list = request.mode === 'same' ? [set.same] : request.mode === 'pool' ? set.pool : set.fresh;
  let counter = 0;
  const started = performance.now();
  const instance = autocannon({
    url: request.url,
    connections: request.connections,
    pipelining: 1,
    // Bounded twice: autocannon's own duration when no amount is set, and the timer below.
    ...(request.amount === undefined ? { duration: request.durationMs / 1000 } : { amount: request.amount }),
    requests: [
      request.mode === 'same'
        ? // One token: the request is built once, the generator's fastest setting.
          { method: 'GET', path: '/orders', headers: { authorization: `Bearer ${set.same}` } }
        : {
            method: 'GET',
            path: '/orders',
            // One shared counter across connections, so every token of the list is used in turn.
            setupRequest(req: Record<string, unknown>) {
              const token = list[counter % list.length] as string;
              counter++;
              req.headers = { authorization: `Bearer ${token}` };
              return req;
            },
          },
    ],
  } as never) as unknown as Promise<autocannon.Result> & {
    stop(): void;
    on(event: 'start' | 'response', listener: () => void): void;
  };
  // The window runs from autocannon's start to the last response: when an amount ends the run early,
  // autocannon's own duration would still count up to its next one-second tick.
  let startedAt = started;
  let lastResponseAt = started;
  instance.on('start', () => {
    startedAt = performance.now();
  });
  instance.on('response', () => {
    lastResponseAt = performance.now();
  });
  const timer = setTimeout(() => instance.stop(), request.durationMs);
  const result = await instance;
  clearTimeout(timer);
  return {
    responses: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationMs: Math.max(lastResponseAt - startedAt, 1),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    tokensUsed: counter,
    tokensAvailable: list.length,
  };
}

serveParent(async (message) => {
  if (message.type !== 'load') throw new Error(`unknown message ${String(message.type)}`);
  return { result: await load(message as unknown as LoadRequest) };
});
