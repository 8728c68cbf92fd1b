/** Small helpers shared by the integration tests. */
import type { Decision, Guard, Requirement } from '@nevertrust/core';
import { bearer, parseChallenges } from '@nevertrust/testkit';

/** Evaluates a request carrying `token` as a bearer token. */
export function present(guard: Guard, token: string, requirement?: Requirement): Promise<Decision> {
  return guard.evaluate(bearer(token), requirement);
}

/** The code of a refusal, or `OK`. */
export function reasonOf(decision: Decision): string {
  return decision.audit.reason;
}

/** The parsed `WWW-Authenticate` parameters of a refusal (strict RFC 9110 parser). */
export function challengeOf(decision: Decision): Readonly<Record<string, string>> {
  const header = decision.headers['www-authenticate'];
  if (typeof header !== 'string') throw new Error('no WWW-Authenticate header');
  const [challenge] = parseChallenges(header);
  if (!challenge) throw new Error('empty WWW-Authenticate header');
  return challenge.params;
}

/** The decoded JOSE header and claims of a compact JWT (for assertions only; never trusted). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header = '', payload = ''] = token.split('.');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: decode(header), payload: decode(payload) };
}

/** Replaces the claims of a signed token while keeping its header and signature: a tampered token. */
export function tamper(token: string, change: Record<string, unknown>): string {
  const [header = '', , signature = ''] = token.split('.');
  const claims = { ...decodeJwt(token).payload, ...change };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/** Resolves after `ms` milliseconds of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the wall clock has passed `epochSeconds` (a token's `exp`), plus `marginMs`. */
export async function waitUntilPast(epochSeconds: number, marginMs = 50): Promise<void> {
  const remaining = epochSeconds * 1000 - Date.now() + marginMs;
  if (remaining > 0) await sleep(remaining);
}
