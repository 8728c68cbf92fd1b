/** Shared set-up of the Fastify adapter tests: one issuer with a static key, an audit trail, a server. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent, GuardOptions } from '@nevertrust/core';
import { createTokenIssuer, generateTestKey } from '@nevertrust/testkit';

export const ISSUER = 'https://idp.fastify.test/';
export const AUDIENCE = 'https://api.fastify.test';

export function setup() {
  const key = generateTestKey('ES256');
  const mint = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key });
  const audit: AuditEvent[] = [];
  const options: GuardOptions = {
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
    onAudit: (event) => audit.push(event),
  };
  const bearer = (scope?: string) => ({
    authorization: `Bearer ${mint(scope ? { claims: { scope } } : {})}`,
  });
  return { mint, audit, options, bearer };
}

/** Serves `handler` on 127.0.0.1 with a free port. */
export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits, bounded, until `events` holds `count` entries (audit events are recorded when responses end). */
export async function settled(events: readonly unknown[], count: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (events.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 10));
}
