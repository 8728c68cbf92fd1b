/**
 * Shared set-up of the introspection tests: tokens a test introspection endpoint knows, and a guard
 * (the core harness) introspecting at that endpoint, with its introspection reports collected.
 */
import type { IntrospectionServer } from '@nevertrust/testkit';
import type { GuardOptions, IntrospectionOptions, IntrospectionReport } from '../../src/index.js';
import { AUDIENCE, harness, ISSUER } from '../support.js';

let counter = 0;

/**
 * A fresh opaque token `server` knows: valid at `now` for ten minutes, with `answer` on top.
 *
 * @example
 * ```ts
 * const token = knownToken(server, NOW, { scope: 'a b' });
 * ```
 */
export function knownToken(
  server: IntrospectionServer,
  now: number,
  answer: Record<string, unknown> = {},
): string {
  counter += 1;
  const token = `opaque-${counter}-${'x'.repeat(20)}`;
  server.setToken(token, {
    sub: 'user-1',
    client_id: 'client-1',
    aud: AUDIENCE,
    iss: ISSUER,
    scope: 'a',
    iat: now,
    exp: now + 600,
    ...answer,
  });
  return token;
}

/**
 * A harness guard whose issuer introspects at `server` (or the discovered endpoint) with `introspection`,
 * its clock starting at `start`.
 *
 * @example
 * ```ts
 * const { evaluateToken, reports } = introspectingHarness(server, { clientId: 'api', clientSecret: 's' });
 * ```
 */
export function introspectingHarness(
  server: IntrospectionServer,
  introspection: IntrospectionOptions,
  options: {
    start?: number;
    issuerId?: string;
    /** Find the endpoint by discovery instead of configuring `server`'s. */
    discover?: boolean;
    guard?: Partial<GuardOptions>;
  } = {},
) {
  const reports: IntrospectionReport[] = [];
  const h = harness({
    ...(options.start === undefined ? {} : { start: options.start }),
    ...(options.issuerId === undefined ? {} : { issuerId: options.issuerId }),
    issuer: {
      introspection: options.discover ? introspection : { endpoint: server.endpoint, ...introspection },
    },
    guard: {
      metrics: [{ introspection: (report) => reports.push(report) }],
      logger: false,
      ...options.guard,
    },
  });
  return { ...h, reports, calls: () => server.requests.length };
}
