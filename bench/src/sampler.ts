/**
 * Time- and count-bounded sampling of one operation, in the process that holds the case. Each sample
 * reports process CPU time per operation: unlike wall time, it does not count the time another process
 * held the core, so figures stay comparable on a shared machine.
 */

/** One measured operation. `run` receives a running index (for cases that must not repeat an input). */
export interface MicroCase {
  readonly name: string;
  readonly run: (index: number) => unknown;
  /** True when `run` returns a promise that must be awaited. */
  readonly async: boolean;
  /** True when a result means the operation succeeded; checked on every call. */
  readonly ok: (result: unknown) => boolean;
  /** Most operations this case may run in total (e.g. the number of distinct tokens). */
  readonly budget?: number;
  /**
   * What the warm-up runs instead of `run`, for a case with a budget: the same code on another instance
   * (a miss warmed on a second guard), so the JIT settles without spending the measured operations.
   */
  readonly warmUp?: (index: number) => unknown;
}

/** One sample of one case. */
export interface Sample {
  /** Process CPU nanoseconds per operation (all threads: GC helpers included). */
  readonly cpuNs: number;
  /** Wall-clock nanoseconds per operation (equal to CPU time on an otherwise idle core). */
  readonly wallNs: number;
  readonly operations: number;
  /** Operations whose result was not a success: any makes the case invalid. */
  readonly failures: number;
}

/** Runs the samples of one case. */
export interface CaseSampler {
  /** Runs the case untimed, so that the JIT has optimised it before the first sample. */
  warmUp(): Promise<void>;
  sample(): Promise<Sample>;
}

const now = () => process.hrtime.bigint();

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * Creates the sampler of one case. A budgeted case (fresh tokens) gets an equal share of its budget per
 * sample, plus one share for the warm-up, so it can never repeat an input.
 *
 * @example
 * ```ts
 * const sampler = createCaseSampler(c, { samples: 15, sampleMs: 60, warmupMs: 300 });
 * await sampler.warmUp();
 * const { cpuNs } = await sampler.sample();
 * ```
 */
export function createCaseSampler(
  c: MicroCase,
  settings: { readonly samples: number; readonly sampleMs: number; readonly warmupMs: number },
): CaseSampler {
  let index = 0;
  const shares = settings.samples + (c.warmUp ? 0 : 1);
  const maxOps = c.budget === undefined ? Number.POSITIVE_INFINITY : Math.floor(c.budget / shares);

  async function warmUpElsewhere(warm: (index: number) => unknown, maxMs: number): Promise<void> {
    const deadline = now() + BigInt(Math.round(maxMs * 1e6));
    for (let ops = 0; ops < (c.budget ?? 1) * 4; ops++) {
      const result = warm(ops % (c.budget ?? 1));
      if (c.async) await result;
      if ((ops & 7) === 7 && now() > deadline) break;
    }
  }

  async function run(maxMs: number): Promise<Sample> {
    const deadline = now() + BigInt(Math.round(maxMs * 1e6));
    let ops = 0;
    let failures = 0;
    const cpuStarted = cpuMicros();
    const started = now();
    if (c.async) {
      while (ops < maxOps) {
        if (!c.ok(await c.run(index++))) failures++;
        ops++;
        if ((ops & 7) === 0 && now() > deadline) break;
      }
    } else {
      while (ops < maxOps) {
        if (!c.ok(c.run(index++))) failures++;
        ops++;
        if ((ops & 7) === 0 && now() > deadline) break;
      }
    }
    const wall = Number(now() - started);
    const cpu = (cpuMicros() - cpuStarted) * 1000;
    const per = Math.max(ops, 1);
    return { cpuNs: cpu / per, wallNs: wall / per, operations: ops, failures };
  }

  return {
    async warmUp() {
      if (c.warmUp) await warmUpElsewhere(c.warmUp, settings.warmupMs);
      else await run(settings.warmupMs);
    },
    sample: () => run(settings.sampleMs),
  };
}
