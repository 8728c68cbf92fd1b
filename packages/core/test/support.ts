/**
 * Shared set-up of the core tests: one trusted issuer with static keys, a simulated clock, a token minter
 * on the same clock, and the audit events the guard emitted. No network anywhere.
 */
import { randomUUID } from 'node:crypto';
import {
  bearer,
  createTokenIssuer,
  type FactsInput,
  generateTestKey,
  type MintOptions,
  requestFacts,
  signToken,
  type TestAlgorithm,
  type TestKey,
} from '@nevertrust/testkit';
import { expect } from 'vitest';
import {
  type AllowDecision,
  type AuditEvent,
  createGuard,
  type Decision,
  type DenyDecision,
  type ErrorCode,
  type Guard,
  type GuardOptions,
  type IssuerOptions,
} from '../src/index.js';

export const ISSUER = 'https://idp.test/';
export const AUDIENCE = 'https://api.test';
/** Simulated "now", in seconds since the epoch. */
export const NOW = 1_750_000_000;

const keys = new Map<string, TestKey>();

/** A key pair generated once per test file and name (RSA generation is slow). */
export function testKey(alg: TestAlgorithm = 'ES256', name = 'main'): TestKey {
  const id = `${alg}/${name}`;
  let key = keys.get(id);
  if (!key) {
    key = generateTestKey(alg, `${name}-${alg.toLowerCase()}`);
    keys.set(id, key);
  }
  return key;
}

/** A settable clock shared by the guard and the minter; `seconds` reads and sets the same time. */
export interface TestClock {
  ms: number;
  seconds: number;
}

export interface Harness {
  readonly key: TestKey;
  readonly guard: Guard;
  readonly events: AuditEvent[];
  readonly clock: TestClock;
  /** Mints a valid RFC 9068 access token of the issuer at the clock's time. */
  readonly mint: (options?: MintOptions) => string;
  /** Evaluates `Authorization: Bearer <token>`. */
  readonly evaluateToken: (
    token: string,
    requirement?: Parameters<Guard['evaluate']>[1],
  ) => Promise<Decision>;
}

export interface HarnessOptions {
  readonly alg?: TestAlgorithm;
  readonly key?: TestKey;
  /** The trusted issuer's identifier (default {@link ISSUER}) and audience (default {@link AUDIENCE}). */
  readonly issuerId?: string;
  readonly audience?: string;
  /** Where the clock starts, in seconds since the epoch (default {@link NOW}). */
  readonly start?: number;
  /** Overrides of the one issuer's options (the key source is the key's public JWK unless a secret is given). */
  readonly issuer?: Partial<IssuerOptions>;
  /** Overrides of the guard options. */
  readonly guard?: Partial<GuardOptions>;
}

/** A guard trusting {@link ISSUER} (or `options.issuerId`) with a static key, on a simulated clock. */
export function harness(options: HarnessOptions = {}): Harness {
  const key = options.key ?? testKey(options.alg ?? 'ES256');
  const { issuerId = ISSUER, audience = AUDIENCE, start = NOW } = options;
  const events: AuditEvent[] = [];
  const clock: TestClock = {
    ms: start * 1000,
    get seconds() {
      return this.ms / 1000;
    },
    set seconds(value: number) {
      this.ms = value * 1000;
    },
  };
  const keySource = options.issuer?.secret === undefined ? { keys: [key.jwk] } : {};
  const issuer: IssuerOptions = { issuer: issuerId, audience, ...keySource, ...options.issuer };
  const guard = createGuard({
    issuers: [issuer],
    onAudit: (event) => events.push(event),
    clock: () => clock.ms,
    ...options.guard,
  });
  const mint = createTokenIssuer({ issuer: issuerId, audience, key, now: () => clock.seconds });
  return {
    key,
    guard,
    events,
    clock,
    mint,
    evaluateToken: (token, requirement) => guard.evaluate(bearer(token), requirement),
  };
}

/** RFC 9068 claims valid at {@link NOW}, for tokens built by hand. */
export function validClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: 'user-1',
    aud: AUDIENCE,
    client_id: 'client-1',
    iat: NOW,
    exp: NOW + 300,
    jti: randomUUID(),
    ...overrides,
  };
}

/** A token signed by `key` from explicit header and payload (objects, or raw JSON text). */
export function handmade(
  key: TestKey,
  header: Record<string, unknown> | string,
  payload: Record<string, unknown> | string = validClaims(),
): string {
  return signToken({ header, payload }, key.privateKey, typeof header === 'string' ? key.alg : undefined);
}

/** Asserts an allow decision and returns it typed. */
export function expectAllow(decision: Decision): AllowDecision {
  if (decision.outcome !== 'allow') {
    expect.fail(`expected allow, got deny ${decision.code} (${decision.audit.detail ?? ''})`);
  }
  return decision;
}

/** Asserts a deny decision with `code` and returns it typed. */
export function expectDeny(decision: Decision, code: ErrorCode, status?: number): DenyDecision {
  if (decision.outcome !== 'deny') expect.fail(`expected deny ${code}, got allow`);
  expect(decision.code, decision.audit.detail).toBe(code);
  if (status !== undefined) expect(decision.status).toBe(status);
  return decision;
}

/** Facts whose Authorization field holds exactly `value` (one or several header lines). */
export function withAuthorization(value: string | readonly string[], input: FactsInput = {}) {
  return requestFacts({ ...input, headers: { ...input.headers, authorization: value } });
}
