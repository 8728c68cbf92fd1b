/** A bounded JSON body reader for the Koa version (Express and Fastify bring their own). */
import type { IncomingMessage } from 'node:http';

/**
 * Reads and parses a JSON request body of at most `limit` bytes; undefined when it is not one.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(ctx.req, 4096);
 * ```
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
