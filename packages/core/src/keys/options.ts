/**
 * The zod schemas of key options, shared by everything that is configured with keys: the token issuers
 * and the Shared Signals transmitters (plugged into the guard's one options schema).
 */
import * as z from 'zod/mini';
import { lazySchema } from '../model/lazy-schema.js';
import { checkedString } from '../model/schema-parts.js';
import { keyUrlProblem } from './fetch-json.js';

/**
 * A JWKS or discovery URL: https, or http on loopback.
 *
 * @example
 * ```ts
 * z.strictObject({ jwksUri: z.optional(keyUrl()) });
 * ```
 */
export const keyUrl = lazySchema(() => checkedString(keyUrlProblem));

/**
 * Static public keys: JWKs or PEM strings, or a JWK set.
 *
 * @example
 * ```ts
 * z.strictObject({ keys: z.optional(keysSchema()) });
 * ```
 */
export const keysSchema = lazySchema(() =>
  z.union(
    [
      z
        .array(z.union([z.string(), z.record(z.string(), z.unknown())]))
        .check(z.minLength(1, 'expected at least one key')),
      z.strictObject({
        keys: z.array(z.record(z.string(), z.unknown())).check(z.minLength(1, 'expected at least one key')),
      }),
    ],
    { error: 'expected an array of JWKs or PEM strings, or a JWK set { keys: [...] }' },
  ),
);
