/**
 * Wires the signal channels of a guard: the back-channel logout endpoint verifies logout tokens with the
 * token issuers' own key sources (withdrawals included), the Shared Signals endpoint verifies SETs with a
 * key source per transmitter, built like an issuer's. Both record their cut-offs through the guard's
 * revocation service, so the revocation store carries them to every instance sharing it. Every name an
 * option refers to is checked here, at start-up.
 */
import type { SignalEvent } from '../audit/signal-event.js';
import type { JsonFetcher } from '../keys/fetch-json.js';
import type { KeySetChange } from '../keys/key-set-change.js';
import { ConfigError } from '../model/errors.js';
import type { Revocation } from '../policy/revocation.js';
import { createLogoutEndpoint } from '../signals/logout-endpoint.js';
import { DEFAULT_PEER_LIMIT } from '../signals/peer-limit.js';
import { createPushEndpoint, type Transmitter } from '../signals/push-endpoint.js';
import { createMemoryReplayStore } from '../signals/replay-store.js';
import type { SignalEndpoint } from '../signals/signal-endpoint.js';
import { ASYMMETRIC_ALGORITHMS } from '../token/algorithms.js';
import { type GuardIssuer, resolveIssuers } from './issuers.js';
import type { ValidatedOptions } from './options.js';

/** What the channels need from the guard. */
export interface SignalWiring {
  readonly issuers: ReadonlyMap<string, GuardIssuer>;
  /** From {@link createTransmitterKeys}. */
  readonly transmitterKeys: ReadonlyMap<string, GuardIssuer>;
  readonly revocation: Revocation;
  readonly record: (event: SignalEvent) => void;
  readonly currentTime: () => number;
  readonly auditTime: () => number;
}

const DEFAULT_BODY_BYTES = 16_384;

function unknownIssuers(
  names: readonly string[],
  issuers: ReadonlyMap<string, unknown>,
  where: string,
  byDefault = '',
) {
  return names.flatMap((name, index) =>
    issuers.has(name) ? [] : [`${where}[${index}]: expected an issuer of issuers${byDefault}`],
  );
}

/**
 * Key sources for the Shared Signals transmitters, built by the issuers' own code (with the guard's fetch
 * reports and key-change records); problems named by the option path. Empty without `sharedSignals`.
 *
 * @example
 * ```ts
 * const transmitterKeys = createTransmitterKeys(validated, fetchJson, keyEvents.onKeySetChange);
 * ```
 */
export function createTransmitterKeys(
  options: ValidatedOptions,
  fetchJson: JsonFetcher,
  onKeySetChange?: (change: KeySetChange) => void,
): Map<string, GuardIssuer> {
  const transmitters = options.sharedSignals?.transmitters ?? [];
  const asIssuers = transmitters.map((transmitter) => ({
    issuer: transmitter.issuer,
    audience: transmitter.audience,
    algorithms: transmitter.algorithms ?? [...ASYMMETRIC_ALGORITHMS],
    ...(transmitter.jwksUri === undefined ? {} : { jwksUri: transmitter.jwksUri }),
    ...(transmitter.keys === undefined ? {} : { keys: transmitter.keys }),
    tokenType: 'at+jwt' as const,
    requiredClaims: [],
    scopeClaims: {},
    maxLifetimeSeconds: 86_400,
    // Signals are verified, not presented: no sender binding applies to them.
    binding: 'bearer-allowed' as const,
  }));
  try {
    return resolveIssuers({ ...options, issuers: asIssuers }, fetchJson, onKeySetChange);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(
      error.problems.map((line) => line.replace(/^issuers\[/, 'sharedSignals.transmitters[')),
    );
  }
}

/**
 * The signal endpoints a guard serves (none when neither channel is configured).
 *
 * @example
 * ```ts
 * const endpoints = createSignalEndpoints(validated, { issuers, transmitterKeys, revocation, record, currentTime, auditTime });
 * ```
 */
export function createSignalEndpoints(options: ValidatedOptions, wiring: SignalWiring): SignalEndpoint[] {
  const { backChannelLogout: logout, sharedSignals: push } = options;
  const problems: string[] = [];
  const endpoints: SignalEndpoint[] = [];
  const common = (channel: NonNullable<typeof logout | typeof push>, maxAgeSeconds: number) => ({
    path: channel.path,
    scope: channel.scope ?? 'subject',
    maxAgeSeconds: channel.maxAgeSeconds ?? maxAgeSeconds,
    maxBodyBytes: channel.maxBodyBytes ?? DEFAULT_BODY_BYTES,
    clockToleranceSeconds: options.clockToleranceSeconds,
    replay: channel.replay ?? createMemoryReplayStore(),
    peerLimit: channel.peerLimit ?? DEFAULT_PEER_LIMIT,
  });
  if (logout) {
    const names = logout.issuers ?? [...wiring.issuers.keys()];
    problems.push(...unknownIssuers(names, wiring.issuers, 'backChannelLogout.issuers'));
    const senders = new Map(
      names.flatMap((name) => {
        const issuer = wiring.issuers.get(name);
        return issuer ? [[name, issuer] as const] : [];
      }),
    );
    endpoints.push(
      createLogoutEndpoint({ ...common(logout, 300), clientIds: logout.clientIds, senders }, wiring),
    );
  }
  if (push) {
    const sources = wiring.transmitterKeys;
    const transmitters = new Map<string, Transmitter>();
    push.transmitters.forEach((transmitter, index) => {
      const where = `sharedSignals.transmitters[${index}]`;
      if (transmitters.has(transmitter.issuer))
        problems.push(`${where}.issuer: expected each transmitter only once`);
      const subjectIssuers = transmitter.subjectIssuers ?? [transmitter.issuer];
      const byDefault = transmitter.subjectIssuers ? '' : " (by default the transmitter's own issuer)";
      problems.push(...unknownIssuers(subjectIssuers, wiring.issuers, `${where}.subjectIssuers`, byDefault));
      const source = sources.get(transmitter.issuer) as GuardIssuer;
      const audiences = new Set(
        typeof transmitter.audience === 'string' ? [transmitter.audience] : transmitter.audience,
      );
      transmitters.set(transmitter.issuer, { ...source, audiences, subjectIssuers });
    });
    endpoints.push(createPushEndpoint({ ...common(push, 600), transmitters }, wiring));
  }
  if (logout && push && logout.path === push.path) {
    problems.push('sharedSignals.path: expected a different path than backChannelLogout.path');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return endpoints;
}
