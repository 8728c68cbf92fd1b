/**
 * The example API's two listeners on 127.0.0.1: plain HTTP for most of the tour, and HTTPS asking every
 * client for a certificate, for certificate-bound tokens (RFC 8705 §3: the binding is checked against the
 * certificate of the TLS connection). Any certificate is let through the handshake (RFC 8705 §6.2: the
 * binding, not the chain, decides). Both open before the guard exists, because DPoP proofs name the API's
 * origin (`htu`, RFC 9449 §4.3) and the guard must know it at start-up rather than read it from `Host`.
 */
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** The server certificate (PEM) of the HTTPS listener. */
export interface ServerTls {
  readonly key: string;
  readonly cert: string;
}

/** Both listeners, open, and routing to the framework's app once it is attached. */
export interface ApiListeners {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `https://127.0.0.1:<port>` */
  readonly tlsUrl: string;
  /** Routes the requests of both listeners to `handler` (Express `app`, Koa `app.callback()`, …). */
  attach(handler: RequestListener): void;
  /** Stops both, dropping open connections. */
  close(): Promise<void>;
}

async function listen(server: Server, scheme: 'http' | 'https'): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Opens both listeners. Until an app is attached they answer 503: nothing passes before the guard exists.
 *
 * @example
 * ```ts
 * const listeners = await openListeners({ key: tls.serverKey, cert: tls.serverCert });
 * listeners.attach(app);
 * ```
 */
export async function openListeners(tls: ServerTls): Promise<ApiListeners> {
  let handler: RequestListener | undefined;
  const route: RequestListener = (request, response) => {
    if (handler) return handler(request, response);
    response.writeHead(503, { 'retry-after': '1' }).end();
  };
  const plain = createHttpServer(route);
  const secure = createHttpsServer(
    { key: tls.key, cert: tls.cert, requestCert: true, rejectUnauthorized: false },
    route,
  );
  const servers = [plain, secure];
  const stop = () =>
    Promise.all(
      servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    ).then(() => undefined);
  try {
    const [url, tlsUrl] = await Promise.all([listen(plain, 'http'), listen(secure, 'https')]);
    return {
      url,
      tlsUrl,
      attach(app) {
        handler = app;
      },
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
