/**
 * Set-up shared by the policy tests: one issuer with a static key, a settable clock shared by guard and
 * minter, the audit events emitted, and a `PolicyInput` builder for evaluating requirements directly.
 */
import { createTokenIssuer, generateTestKey, type MintOptions, type TestKey } from '@nevertrust/testkit';
import {
  type AuditEvent,
  createGuard,
  type Guard,
  type GuardOptions,
  type IssuerOptions,
  type PolicyInput,
  type Principal,
} from '../../src/index.js';

export const ISSUER = 'https://idp.policy.test/';
export const AUDIENCE = 'https://api.policy.test';
/** Simulated "now", in seconds since the epoch. */
export const NOW = 1_760_000_000;

let sharedKey: TestKey | undefined;

/** One ES256 key per test file. */
export function key(): TestKey {
  sharedKey ??= generateTestKey('ES256', 'policy-key');
  return sharedKey;
}

export interface PolicyHarness {
  readonly guard: Guard;
  readonly events: AuditEvent[];
  /** Current time in seconds; tests may move it. */
  readonly clock: { seconds: number };
  readonly mint: (options?: MintOptions) => string;
}

/** A guard trusting {@link ISSUER}, with extra guard options and issuer options. */
export function policyHarness(
  guardOptions: Partial<GuardOptions> = {},
  issuerOptions: Partial<IssuerOptions> = {},
): PolicyHarness {
  const events: AuditEvent[] = [];
  const clock = { seconds: NOW };
  const guard = createGuard({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, keys: [key().jwk], ...issuerOptions }],
    onAudit: (event) => events.push(event),
    clock: () => clock.seconds * 1000,
    ...guardOptions,
  });
  const mint = createTokenIssuer({
    issuer: ISSUER,
    audience: AUDIENCE,
    key: key(),
    now: () => clock.seconds,
  });
  return { guard, events, clock, mint };
}

/** A principal for evaluating requirements without a guard. */
export function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    subject: 'user-1',
    clientId: 'client-1',
    kind: 'user',
    issuer: ISSUER,
    audience: [AUDIENCE],
    scopes: [],
    tokenId: 'jti-1',
    expiresAt: NOW + 300,
    issuedAt: NOW,
    authentication: {},
    binding: { type: 'none' },
    claims: { sub: 'user-1' },
    ...overrides,
  };
}

/** A policy input with sensible defaults. */
export function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    principal: principal(),
    scopes: new Set(),
    roles: new Set(),
    method: 'GET',
    params: {},
    remoteAddress: '127.0.0.1',
    nowSeconds: NOW,
    ...overrides,
  };
}
