/**
 * Shared set-up of the DPoP tests: a guard accepting DPoP at a configured public origin, on the simulated
 * clock of `support.ts`, a client key whose thumbprint (computed by jose) binds the tokens it mints, and
 * a call that sends `Authorization: DPoP <token>` with one proof.
 */
import { createDpopProof, type DpopProofOptions, dpopThumbprint, type TestKey } from '@nevertrust/testkit';
import type { Decision, GuardOptions, Requirement } from '../../src/index.js';
import type { DpopOptions } from '../../src/policy.js';
import { type Harness, type HarnessOptions, harness, testKey } from '../support.js';

export const ORIGIN = 'https://api.example.com';

export interface DpopHarness extends Harness {
  /** The client's proof key. */
  readonly client: TestKey;
  /** Thumbprint of the client key (jose). */
  readonly jkt: string;
  /** Mints a token bound to the client key (`cnf.jkt`). */
  readonly mintBound: (claims?: Record<string, unknown>) => string;
  /** A proof by the client key for `GET /orders` (or as overridden), at the clock's time. */
  readonly proof: (options?: Partial<DpopProofOptions>) => string;
  /** Sends the DPoP scheme with the given `DPoP` header values (one, several or none). */
  readonly call: (
    token: string,
    proofs: string | readonly string[],
    request?: { method?: string; target?: string; headers?: Record<string, string> },
    requirement?: Requirement,
  ) => Promise<Decision>;
}

/** A harness whose guard accepts DPoP at {@link ORIGIN}, with `dpop` options merged in. */
export async function dpopHarness(
  dpop: Partial<DpopOptions> = {},
  options: HarnessOptions & { guard?: Partial<GuardOptions> } = {},
): Promise<DpopHarness> {
  const base = harness({ ...options, guard: { ...options.guard, dpop: { origin: ORIGIN, ...dpop } } });
  const client = testKey('ES256', 'dpop-client');
  const jkt = await dpopThumbprint(client);
  return {
    ...base,
    client,
    jkt,
    mintBound: (claims = {}) => base.mint({ claims: { cnf: { jkt }, ...claims } }),
    proof: (overrides = {}) =>
      createDpopProof({
        key: client,
        htm: 'GET',
        htu: `${ORIGIN}/orders`,
        iat: Math.floor(base.clock.seconds),
        ...overrides,
      }),
    call: (token, proofs, request = {}, requirement) => {
      const headers: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(request.headers ?? {})) headers[name] = [value];
      headers.authorization = [`DPoP ${token}`];
      const list = typeof proofs === 'string' ? [proofs] : [...proofs];
      if (list.length > 0) headers.dpop = list;
      const facts = {
        method: request.method ?? 'GET',
        target: request.target ?? '/orders',
        headers,
        remoteAddress: '127.0.0.1',
      };
      return base.guard.evaluate(facts, requirement);
    },
  };
}
