/**
 * A real guard for the OpenTelemetry tests: one issuer with a static key, its token minter, and a call
 * helper evaluating `Authorization: Bearer <token>`; and a metric reader collecting on demand.
 */
import { createGuard, type Guard, type GuardOptions } from '@nevertrust/core';
import {
  bearer,
  createTokenIssuer,
  type FactsInput,
  generateTestKey,
  requestFacts,
} from '@nevertrust/testkit';
import { MetricReader } from '@opentelemetry/sdk-metrics';

export const ISSUER = 'https://idp.otel.test/';
const AUDIENCE = 'https://api.otel.test';
const key = generateTestKey('ES256', 'otel');

/** A guard with `options` added, the token minter of its issuer, and a call helper. */
export function otelGuard(options: Partial<GuardOptions> = {}) {
  const guard: Guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key.jwk] }],
    ...options,
  });
  const minter = createTokenIssuer({ issuer: ISSUER, audience: AUDIENCE, key });
  return {
    guard,
    mint: (claims: Record<string, unknown> = {}) => minter({ claims }),
    call: (token: string | undefined, input: FactsInput = {}) =>
      guard.evaluate(token === undefined ? requestFacts(input) : bearer(token, input)),
  };
}

/** A metric reader that exports nowhere: the test calls `collect()` itself. */
export class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}
