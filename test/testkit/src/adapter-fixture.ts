/**
 * The set-up the adapters' tests share: one issuer with a static key, the audit events the guard
 * emitted, a plain HTTP server on 127.0.0.1 with a free port, and a bounded wait for the audit trail.
 * The testkit does not depend on the core (the core's tests depend on the testkit), so the caller names
 * its audit event type.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateTestKey } from './keys.js';
import { createTokenIssuer, type MintOptions } from './tokens.js';

/** Guard options trusting the fixture's issuer, recording every audit event. */
export interface AdapterFixtureOptions<Event> {
  readonly issuers: { issuer: string; audience: string; keys: Record<string, unknown>[] }[];
  readonly onAudit: (event: Event) => void;
}

/** What {@link adapterFixture} returns. */
export interface AdapterFixture<Event> {
  /** Mints a valid token of the issuer. */
  readonly mint: (options?: MintOptions) => string;
  /** The audit events the guard emitted, in order. */
  readonly audit: Event[];
  readonly options: AdapterFixtureOptions<Event>;
  /** An `Authorization: Bearer` header of a fresh token, with `scope` when given. */
  readonly bearer: (scope?: string) => { authorization: string };
}

/**
 * One issuer with a fresh ES256 key and the options of a guard trusting it.
 *
 * @example
 * ```ts
 * const { options, bearer, audit } = adapterFixture<AuditEvent>('https://idp.express.test/', 'https://api.express.test');
 * app.use(nevertrust(options));
 * await fetch(url, { headers: bearer('orders:read') });
 * ```
 */
export function adapterFixture<Event>(issuer: string, audience: string): AdapterFixture<Event> {
  const key = generateTestKey('ES256');
  const mint = createTokenIssuer({ issuer, audience, key });
  const audit: Event[] = [];
  const options: AdapterFixtureOptions<Event> = {
    issuers: [{ issuer, audience, keys: [key.jwk] }],
    onAudit: (event) => audit.push(event),
  };
  const bearer = (scope?: string) => ({
    authorization: `Bearer ${mint(scope ? { claims: { scope } } : {})}`,
  });
  return { mint, audit, options, bearer };
}

/** A server started by {@link serve}. */
export interface ServedHandler {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Drops open connections and closes the server. */
  close(): Promise<void>;
}

/**
 * Serves `handler` on 127.0.0.1 with a free port: over HTTP, or over HTTPS with `https` server options.
 *
 * @example
 * ```ts
 * const server = await serve(app);
 * try { await fetch(`${server.url}/orders`); } finally { await server.close(); }
 * ```
 */
export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  https?: HttpsOptions,
): Promise<ServedHandler> {
  const server = https ? createHttpsServer(https, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${https ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Waits, bounded, until `events` holds `count` entries (adapters record audit events when responses end).
 *
 * @example
 * ```ts
 * await settled(audit, 2);
 * expect(audit.map((event) => event.status)).toEqual([200, 401]);
 * ```
 */
export async function settled(events: readonly unknown[], count: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (events.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 10));
}
