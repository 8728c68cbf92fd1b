/**
 * Small zod/mini building blocks the option schemas share, so each rule reads (and fails) the same way
 * wherever it is used.
 */
import * as z from 'zod/mini';

/**
 * An integer from `min` to `max` inclusive (zod's own messages: `expected int`, `expected number to be
 * >=1`).
 *
 * @example
 * ```ts
 * z.strictObject({ timeoutMs: z.optional(intIn(1, 60_000)) });
 * ```
 */
export function intIn(min: number, max: number) {
  return z.number().check(z.int(), z.gte(min), z.lte(max));
}

/**
 * A string of at least one character, failing with `message`.
 *
 * @example
 * ```ts
 * z.strictObject({ clientId: nonEmptyString() });
 * ```
 */
export function nonEmptyString(message = 'expected a non-empty string') {
  return z.string().check(z.minLength(1, message));
}

/**
 * A string that `problem` accepts (returns undefined for); otherwise one issue with the problem's text.
 *
 * @example
 * ```ts
 * const origin = checkedString(originProblem);
 * ```
 */
export function checkedString(problem: (value: string) => string | undefined) {
  return z.string().check(
    z.superRefine((value, ctx) => {
      const text = problem(value);
      if (text) ctx.addIssue({ code: 'custom', message: text });
    }),
  );
}
