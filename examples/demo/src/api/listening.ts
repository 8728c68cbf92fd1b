/** The listening-server handle of the Express and Koa versions (Fastify listens and closes by itself). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListeningServer } from './index.js';

/**
 * Waits until `server` (asked to listen on 127.0.0.1, port 0) listens; closing drops its open connections.
 *
 * @example
 * ```ts
 * return listening(app.listen(0, '127.0.0.1'));
 * ```
 */
export async function listening(server: Server): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
