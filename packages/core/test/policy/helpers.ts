/**
 * Set-up shared by the policy tests: the core harness (one issuer with a static key, a settable clock
 * shared by guard and minter, the audit events emitted) under the policy tests' issuer, and builders for
 * evaluating requirements directly.
 */
import type { GuardOptions, IssuerOptions, Principal, Requirement } from '../../src/index.js';
import type { PolicyInput } from '../../src/policy.js';
import { type Harness, harness } from '../support.js';

export const ISSUER = 'https://idp.policy.test/';
export const AUDIENCE = 'https://api.policy.test';
/** Simulated "now", in seconds since the epoch. */
export const NOW = 1_760_000_000;

/** A guard trusting {@link ISSUER}, with extra guard options and issuer options. */
export function policyHarness(
  guardOptions: Partial<GuardOptions> = {},
  issuerOptions: Partial<IssuerOptions> = {},
): Harness {
  return harness({
    issuerId: ISSUER,
    audience: AUDIENCE,
    start: NOW,
    guard: guardOptions,
    issuer: issuerOptions,
  });
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

/** A requirement case: its name, the requirement, the input it sees, and the expected outcome. */
export type Case = readonly [
  name: string,
  requirement: Requirement,
  input: Partial<PolicyInput>,
  expected: string,
];

/** Input whose principal carries `claims` (besides `sub`). */
export const withClaims = (claims: Record<string, unknown>): Partial<PolicyInput> => ({
  principal: principal({ claims: { sub: 'user-1', ...claims } }),
});

/** Input with the `granted` scopes. */
export const scopes = (...granted: string[]): Partial<PolicyInput> => ({ scopes: new Set(granted) });
