/**
 * Every route of a Fastify application, including those registered before the plugin, which `onRoute`
 * never announced to it. Fastify offers no structured list of its routes; `printRoutes()` prints the
 * router's radix tree, one node per line, with the methods of each node that ends a route. Each route's
 * path is the concatenation of the node texts from the root down to it.
 */
import type { FastifyInstance } from 'fastify';

/** A route as the router holds it. */
export interface ListedRoute {
  readonly method: string;
  readonly path: string;
}

const NODE = /^(?<indent>(?:[│ ] {3})*)[├└]── (?<text>.*?)(?: \((?<methods>[A-Z]+(?:, [A-Z]+)*)\))?$/u;

/**
 * Reads the routes out of `app.printRoutes()`; a line it cannot read is skipped.
 *
 * @example
 * ```ts
 * await app.ready();
 * listRoutes(app); // [{ method: 'GET', path: '/health' }, …]
 * ```
 */
export function listRoutes(app: Pick<FastifyInstance, 'printRoutes'>): ListedRoute[] {
  const prefixes: string[] = [];
  const routes: ListedRoute[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const node = NODE.exec(line)?.groups;
    if (!node) continue;
    const depth = (node.indent?.length ?? 0) / 4;
    const path = `${depth === 0 ? '' : (prefixes[depth - 1] ?? '')}${node.text ?? ''}`;
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of node.methods?.split(', ') ?? []) routes.push({ method, path });
  }
  return routes;
}
