/**
 * Three ways to reach an app: in-process (light-my-request, no socket at all), over a real HTTP socket,
 * and over HTTPS with the testkit's certificates — all on 127.0.0.1, port 0, closed after the run. The
 * HTTPS server asks every client for a certificate without requiring one or verifying its chain
 * (`requestCert: true, rejectUnauthorized: false`, how an API accepting certificate-bound tokens runs:
 * RFC 8705 §6.2); its clients present the testkit's `service-a` certificate unless a request says
 * otherwise.
 */
import {
  createServer as createHttpServer,
  request as httpRequest,
  IncomingMessage,
  type Server,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { collectResponse, type TlsMaterial, testTls } from '@nevertrust/testkit';
import { inject } from 'light-my-request';

export type Transport = 'inject' | 'http' | 'https';
export const TRANSPORTS: readonly Transport[] = ['inject', 'http', 'https'];

export interface WireRequest {
  readonly method: string;
  readonly target: string;
  /** Header lines in order; a name may repeat. */
  readonly headers: readonly (readonly [string, string])[];
  /** The request body (default none). */
  readonly body?: string;
  /** Over HTTPS, the client certificate to present (PEM); default the testkit's `service-a`; `null`: none. */
  readonly clientCertificate?: ClientCertificate | null;
  /** The address the client connects from, e.g. 127.0.0.2 to play a proxy; default 127.0.0.1. */
  readonly localAddress?: string;
}

/** A client certificate and its private key, PEM. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
}

export interface Client {
  send(request: WireRequest): Promise<WireResponse>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * light-my-request injects into Express by re-parenting Express's shared request and response
 * prototypes onto its own fakes, for every Express app of the process. Put them back after each
 * injection, so the apps served over real sockets in the same process keep real Node objects.
 */
async function restoringExpress<T>(handler: Handler, run: () => Promise<T>): Promise<T> {
  const app = handler as Handler & { request?: { app?: unknown }; response?: object };
  if (app.request?.app !== handler || !app.response) return run();
  const request = Object.getPrototypeOf(app.request) as object;
  const response = Object.getPrototypeOf(app.response) as object;
  try {
    return await run();
  } finally {
    Object.setPrototypeOf(request, IncomingMessage.prototype);
    Object.setPrototypeOf(response, ServerResponse.prototype);
  }
}

function injectClient(handler: Handler): Client {
  return {
    async send(request) {
      const headers: Record<string, string[]> = {};
      for (const [name, value] of request.headers) headers[name] = [...(headers[name] ?? []), value];
      const response = await restoringExpress(handler, () =>
        inject(handler, {
          method: request.method as 'GET',
          url: request.target,
          headers,
          ...(request.body === undefined ? {} : { payload: request.body }),
        }),
      );
      const distinct: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) distinct[name] = Array.isArray(value) ? value.map(String) : [String(value)];
      }
      return { status: response.statusCode, headers: distinct, body: response.body };
    },
    close: async () => {},
  };
}

function clientCertificateOf(request: WireRequest, tls: TlsMaterial): Partial<ClientCertificate> {
  if (request.clientCertificate === null) return {};
  return request.clientCertificate ?? { cert: tls.clientCert, key: tls.clientKey };
}

async function socketClient(handler: Handler, secure: boolean): Promise<Client> {
  const tls = secure ? await testTls() : undefined;
  const server: Server = tls
    ? createHttpsServer(
        { key: tls.serverKey, cert: tls.serverCert, requestCert: true, rejectUnauthorized: false },
        handler,
      )
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    send(request) {
      return new Promise((resolve, reject) => {
        const options = {
          host: '127.0.0.1',
          port,
          method: request.method,
          path: request.target,
          // Raw header lines keep duplicates; Node then adds no Host of its own (RFC 9112 §3.2 needs one).
          // The body's length is always said, or Node sends POST as chunked and Fastify asks for a media type.
          headers: [
            ['host', `127.0.0.1:${port}`],
            ['content-length', String(Buffer.byteLength(request.body ?? ''))],
            ...request.headers,
          ].flat(),
          agent: false as const,
          localAddress: request.localAddress ?? '127.0.0.1',
          ...(tls ? { ca: tls.ca, ...clientCertificateOf(request, tls) } : {}),
        };
        const outgoing = (tls ? httpsRequest : httpRequest)(options, (response) => {
          collectResponse(response).then(resolve, reject);
        });
        outgoing.setTimeout(5000, () => outgoing.destroy(new Error('request timed out')));
        outgoing.on('error', reject);
        outgoing.end(request.body);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A client for `handler` over `transport`. */
export function connect(handler: Handler, transport: Transport): Promise<Client> | Client {
  if (transport === 'inject') return injectClient(handler);
  return socketClient(handler, transport === 'https');
}
