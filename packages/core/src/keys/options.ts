/**
 * The zod schemas of key options, shared by everything that is configured with keys: the token issuers
 * and the Shared Signals transmitters (plugged into the guard's one options schema).
 */
import { z } from 'zod';
import { keyUrlProblem } from './fetch-json.js';

/**
 * A JWKS or discovery URL: https, or http on loopback.
 *
 * @example
 * ```ts
 * z.strictObject({ jwksUri: keyUrl.optional() });
 * ```
 */
export const keyUrl = z.string().superRefine((value, ctx) => {
  const problem = keyUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Static public keys: JWKs or PEM strings, or a JWK set.
 *
 * @example
 * ```ts
 * z.strictObject({ keys: keysSchema.optional() });
 * ```
 */
export const keysSchema = z.union(
  [
    z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(1, 'expected at least one key'),
    z.strictObject({
      keys: z.array(z.record(z.string(), z.unknown())).min(1, 'expected at least one key'),
    }),
  ],
  { error: 'expected an array of JWKs or PEM strings, or a JWK set { keys: [...] }' },
);
