/**
 * Reaching an app with a web-standard handler in process: a `Request` handed to its `fetch`, with no Node
 * object anywhere, and the client address in the environment (where a runtime's connection helper would
 * give it). Apps without one are reached the way `transport.ts` reaches any Node handler.
 */
import type { BuiltApp } from './apps.js';
import type { InProcessEnv } from './fetch-apps.js';
import { type Client, connect, type Transport, type WireResponse } from './transport.js';

function fetchClient(fetch: NonNullable<BuiltApp['fetch']>): Client {
  return {
    async send(request) {
      const headers = new Headers();
      for (const [name, value] of request.headers) headers.append(name, value);
      // A web-standard GET or HEAD has no body: what a socket would carry is not sent in process.
      const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body;
      const env: InProcessEnv = { clientAddress: request.localAddress ?? '127.0.0.1' };
      const response = await fetch(
        new Request(`http://127.0.0.1${request.target}`, {
          method: request.method,
          headers,
          ...(body === undefined ? {} : { body }),
        }),
        env,
      );
      const distinct: Record<string, string[]> = {};
      response.headers.forEach((value, name) => {
        distinct[name] = name === 'set-cookie' ? response.headers.getSetCookie() : [value];
      });
      const wire: WireResponse = { status: response.status, headers: distinct, body: await response.text() };
      return wire;
    },
    close: async () => {},
  };
}

/** A client for `app` over `transport`: in process through its `fetch` when it has one. */
export function connectApp(app: BuiltApp, transport: Transport): Promise<Client> | Client {
  if (transport === 'inject' && app.fetch) return fetchClient(app.fetch);
  return connect(app.handler, transport);
}
