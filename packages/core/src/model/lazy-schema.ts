/**
 * Schemas built on first use instead of at import: importing the core then costs no zod schema
 * construction at all, and an app pays for the option schemas once, when its first guard is created
 * (or a requirement validated). Each builder runs at most once; later calls return the same schema.
 */

/**
 * Wraps a schema builder so it runs once, on the first call.
 *
 * @example
 * ```ts
 * const keyUrl = lazySchema(() => z.string().check(z.superRefine(checkUrl)));
 * keyUrl().safeParse('https://idp.example/jwks');
 * ```
 */
export function lazySchema<Schema>(build: () => Schema): () => Schema {
  let schema: Schema | undefined;
  return () => {
    schema ??= build();
    return schema;
  };
}
