/**
 * Every key set a guard holds, with what it verifies, for `guard.keys.health()` and `guard.health()`: each
 * token issuer's (its access tokens, and its logout tokens when the back-channel logout endpoint accepts
 * them) and each Shared Signals transmitter's, which is fetched and held apart even when the transmitter
 * is also a token issuer. An operator sees a transmitter whose keys cannot be fetched before the first
 * signal from it is refused.
 */
import type { ReportedKeySet } from '../keys/guard-keys.js';
import type { KeyHealthSummary, KeyUse } from '../keys/key-health.js';
import type { GuardIssuer } from './issuers.js';
import type { ValidatedOptions } from './options.js';

/** The guard's key sets by kind. */
export interface GuardKeySets {
  readonly issuers: ReadonlyMap<string, GuardIssuer>;
  readonly transmitters: ReadonlyMap<string, GuardIssuer>;
}

/**
 * The key sets to report, token issuers first.
 *
 * @example
 * ```ts
 * createKeyControl(sources, keyEvents, reportedKeySets(validated, { issuers, transmitters }));
 * ```
 */
export function reportedKeySets(options: ValidatedOptions, sets: GuardKeySets): ReportedKeySet[] {
  const logout = options.backChannelLogout;
  const logoutIssuers = new Set(logout ? (logout.issuers ?? [...sets.issuers.keys()]) : []);
  const reported: ReportedKeySet[] = [];
  for (const [name, issuer] of sets.issuers) {
    const uses: KeyUse[] = logoutIssuers.has(name) ? ['access-token', 'logout-token'] : ['access-token'];
    reported.push({ source: issuer.keySource, uses });
  }
  for (const transmitter of sets.transmitters.values()) {
    reported.push({ source: transmitter.keySource, uses: ['security-event'] });
  }
  return reported;
}

/**
 * The health of the key set of `issuer` (a token issuer's, else a transmitter's) and what it verifies, for
 * the operational log of a key fetch.
 *
 * @example
 * ```ts
 * keyHealthOf({ issuers, transmitters }, report.issuer)?.state; // 'fresh'
 * ```
 */
export function keyHealthOf(sets: GuardKeySets, issuer: string): KeyHealthSummary | undefined {
  const token = sets.issuers.get(issuer);
  if (token) return { ...token.keySource.health(), uses: ['access-token'] };
  const transmitter = sets.transmitters.get(issuer);
  return transmitter && { ...transmitter.keySource.health(), uses: ['security-event'] };
}
