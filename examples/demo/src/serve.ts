/**
 * `--serve`: the provider and the API keep running for manual requests. Client secrets go to files readable
 * only by the current user, in a private temporary folder removed on exit, so that neither they nor any
 * token are ever printed; the curl lines read them from there.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@nevertrust/core';
import { type OidcTestProvider, ORDERS_API } from '@nevertrust/testkit';
import type { Output } from './output.js';

/** A running `--serve` session. */
export interface ServeSession {
  /** Prints one audit event as it happens. */
  live(event: AuditEvent): void;
  /** Resolves on Ctrl-C or SIGTERM. */
  stopped(): Promise<void>;
  cleanUp(): Promise<void>;
}

/**
 * Writes the secrets and prints the instructions.
 *
 * @example
 * ```ts
 * const session = await startServeSession(out, idp, api.url);
 * await session.stopped();
 * ```
 */
export async function startServeSession(
  out: Output,
  idp: OidcTestProvider,
  apiUrl: string,
): Promise<ServeSession> {
  const folder = await mkdtemp(join(tmpdir(), 'nevertrust-demo-'));
  await chmod(folder, 0o700);
  const clients = ['reporting-service', 'fulfilment-service'];
  for (const client of clients) {
    await writeFile(join(folder, `${client}.secret`), idp.clientSecret(client), { mode: 0o600 });
  }
  const tokenCommand = (client: string, scope: string) =>
    `curl -s -u "${client}:$(cat ${join(folder, `${client}.secret`)})" -d grant_type=client_credentials ` +
    `-d resource=${ORDERS_API} -d scope='${scope}' ${idp.issuer}/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token'`;

  out.line();
  out.line('The provider and the API keep running. In another terminal:');
  out.line();
  out.line('  # a token for reporting-service (orders:read), straight from the provider');
  out.line(`  READ=$(${tokenCommand('reporting-service', 'orders:read')})`);
  out.line(`  curl -i -H "Authorization: Bearer $READ" ${apiUrl}/orders`);
  out.line(
    `  curl -i -X POST -H "Authorization: Bearer $READ" -H 'content-type: application/json' -d '{"item":"tea","quantity":1}' ${apiUrl}/orders`,
  );
  out.line();
  out.line('  # fulfilment-service may write');
  out.line(`  WRITE=$(${tokenCommand('fulfilment-service', 'orders:read orders:write')})`);
  out.line(
    `  curl -i -X POST -H "Authorization: Bearer $WRITE" -H 'content-type: application/json' -d '{"item":"tea","quantity":1}' ${apiUrl}/orders`,
  );
  out.line();
  out.line('  # no token, and the public health check');
  out.line(`  curl -i ${apiUrl}/orders`);
  out.line(`  curl -i ${apiUrl}/health`);
  out.line();
  out.line('  # Prometheus metrics: decisions by outcome, reason and route, detector firings, latency');
  out.line(`  curl -s ${apiUrl}/metrics | grep '^nevertrust_'`);
  out.line();
  out.line(`  # the provider's metadata and keys: ${idp.issuer}/.well-known/openid-configuration`);
  out.line();
  out.line(
    `Client secrets are in ${folder} (removed on exit). Each decision is printed below; Ctrl-C stops.`,
  );

  return {
    live(event) {
      out.line(
        `  audit ${event.time} ${event.outcome} ${event.reason} ${event.method} ${event.path} → ${event.status}`,
      );
    },
    stopped: () =>
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
    cleanUp: () => rm(folder, { recursive: true, force: true }),
  };
}
