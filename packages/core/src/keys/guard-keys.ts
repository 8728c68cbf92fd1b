/**
 * The operator's hold on issuer keys, as `guard.keys`: withdraw a key (by `kid`) or a whole issuer at
 * once, restore it, and read each issuer's key-set health. A withdrawal takes effect before the call
 * returns: the next request is decided without the key, and every verified-token cache entry it verified
 * is refused on its next hit (the cache confirms the verifying key on every hit). Every call, and every
 * key a refetch finds added or removed, is a `key` record on the audit trail.
 */

import type { KeyEvent } from '../audit/key-event.js';
import { AUDIT_SCHEMA } from '../model/audit.js';
import { ConfigError } from '../model/errors.js';
import type { HeldKeyHealth, KeySetHealth, KeyUse } from './key-health.js';
import type { KeySetChange } from './key-set-change.js';
import type { WithdrawableKeySource } from './withdrawable-key-source.js';

/**
 * Withdraws and restores issuer keys; reports key-set health. Withdrawals hold in this process until
 * restored (they are not shared between instances, nor kept across restarts: apply them on every
 * instance, and remove the key at the issuer).
 *
 * @example
 * ```ts
 * guard.keys.withdraw('https://idp.example.com/', '2025-06'); // that key verifies nothing from now on
 * guard.keys.health().filter((issuer) => issuer.state !== 'fresh');
 * ```
 */
export interface KeyControl {
  /**
   * Withdraws every key of `issuer` with this `kid`: tokens it signed are refused (401
   * `ERR_KEY_NOT_FOUND`), cached or not, even while the issuer still publishes it, until {@link restore}.
   * Throws {@link ConfigError} for an issuer that is not configured or an empty `kid`.
   */
  withdraw(issuer: string, kid: string): void;
  /** Lets a withdrawn `kid` verify again (if the issuer still publishes it). */
  restore(issuer: string, kid: string): void;
  /**
   * Withdraws every key of `issuer`, present and future (keys without a `kid` included): all its tokens
   * are refused until {@link restoreIssuer}. For a compromised issuer.
   */
  withdrawIssuer(issuer: string): void;
  /** Ends an issuer-wide withdrawal; keys withdrawn by `kid` stay withdrawn. */
  restoreIssuer(issuer: string): void;
  /**
   * Per key set — each configured issuer's (its access and logout tokens) and each Shared Signals
   * transmitter's: what it verifies, state and age, last refresh, last failure, withdrawals.
   */
  health(): readonly KeySetHealth[];
}

/** A key set the guard reports on, and what it verifies. */
export interface ReportedKeySet {
  readonly source: { health(): HeldKeyHealth };
  readonly uses: readonly KeyUse[];
}

/** Turns key changes into `key` audit records. */
export interface KeyEvents {
  /** For the remote key sources: keys an issuer added or removed at a refetch. */
  readonly onKeySetChange: (change: KeySetChange) => void;
  readonly operator: (action: 'withdrawn' | 'restored', issuer: string, kid?: string) => void;
}

/**
 * Creates the recorder of key changes.
 *
 * @example
 * ```ts
 * const events = createKeyEvents((record) => monitor.record(record), Date.now);
 * ```
 */
export function createKeyEvents(record: (event: KeyEvent) => void, clock: () => number): KeyEvents {
  const emit = (event: Omit<KeyEvent, 'schema' | 'type' | 'time'>) => {
    record({ schema: AUDIT_SCHEMA, type: 'key', time: new Date(clock()).toISOString(), ...event });
  };
  return {
    onKeySetChange({ issuer, added, removed }) {
      for (const [action, keys] of [
        ['added', added],
        ['removed', removed],
      ] as const) {
        for (const { kid, alg } of keys) {
          emit({
            origin: 'issuer',
            action,
            scope: 'key',
            issuer,
            algorithm: alg,
            ...(kid ? { keyId: kid } : {}),
          });
        }
      }
    },
    operator(action, issuer, kid) {
      const scope = kid === undefined ? 'issuer' : 'key';
      emit({ origin: 'operator', action, scope, issuer, ...(kid === undefined ? {} : { keyId: kid }) });
    },
  };
}

const MAX_KID_LENGTH = 256;

/**
 * Creates `guard.keys`: withdrawals over the token issuers' key sources (`sources`), health over every key
 * set the guard holds (`reported`, transmitters' included).
 *
 * @example
 * ```ts
 * const keys = createKeyControl(sourcesByIssuer, createKeyEvents(monitor.record, clock), reportedKeySets);
 * ```
 */
export function createKeyControl(
  sources: ReadonlyMap<string, WithdrawableKeySource>,
  events: KeyEvents,
  reported: readonly ReportedKeySet[],
): KeyControl {
  const sourceOf = (issuer: unknown, where: string) => {
    const source = typeof issuer === 'string' ? sources.get(issuer) : undefined;
    if (!source) throw new ConfigError([`keys.${where}().issuer: expected a configured issuer`]);
    return source;
  };
  const kidOf = (kid: unknown, where: string) => {
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)
      throw new ConfigError([`keys.${where}().kid: expected a non-empty string of at most 256 characters`]);
    return kid;
  };
  // The record is written whether or not the state changed: the operator's call is what is audited.
  return {
    withdraw(issuer, kid) {
      sourceOf(issuer, 'withdraw').withdraw(kidOf(kid, 'withdraw'));
      events.operator('withdrawn', issuer, kid);
    },
    restore(issuer, kid) {
      sourceOf(issuer, 'restore').restore(kidOf(kid, 'restore'));
      events.operator('restored', issuer, kid);
    },
    withdrawIssuer(issuer) {
      sourceOf(issuer, 'withdrawIssuer').withdrawIssuer();
      events.operator('withdrawn', issuer);
    },
    restoreIssuer(issuer) {
      sourceOf(issuer, 'restoreIssuer').withdrawIssuer(false);
      events.operator('restored', issuer);
    },
    health: () => reported.map(({ source, uses }) => ({ ...source.health(), uses })),
  };
}
