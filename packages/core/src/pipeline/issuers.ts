/**
 * Turns validated issuer options into verification-ready issuers, each with its own key source, so that a
 * key of one issuer can never verify a token of another (J-7, attack #28). Static keys are imported here,
 * at start-up: an unusable configured key is a ConfigError, not a run-time 401.
 */
import { Buffer } from 'node:buffer';
import { discoverJwksUri } from '../keys/discovery.js';
import type { JsonFetcher } from '../keys/fetch-json.js';
import type { KeySetChange } from '../keys/key-set-change.js';
import { type KeySource, StaticKeySource } from '../keys/key-source.js';
import { importJwk, importPem, importSecret, KeySet, type VerificationKey } from '../keys/keys.js';
import { RemoteKeySource } from '../keys/remote-key-source.js';
import { WithdrawableKeySource } from '../keys/withdrawable-key-source.js';
import { ConfigError } from '../model/errors.js';
import type { SignatureAlgorithm } from '../token/algorithms.js';
import type { ResolvedIssuer } from '../token/verify-token.js';
import type { ValidatedOptions } from './options.js';

/** An issuer of the guard's table, its key source open to the operator's withdrawals. */
export interface GuardIssuer extends ResolvedIssuer {
  readonly keySource: WithdrawableKeySource;
}

type ValidatedIssuer = ValidatedOptions['issuers'][number];

function staticKeySource(issuer: ValidatedIssuer, path: string): StaticKeySource {
  const algorithms = issuer.algorithms;
  const imported: VerificationKey[] = [];
  const unnamed: VerificationKey[] = [];
  const problems: string[] = [];
  if (issuer.secret !== undefined) {
    const secret = typeof issuer.secret === 'string' ? Buffer.from(issuer.secret, 'utf8') : issuer.secret;
    for (const alg of algorithms) {
      const result = importSecret(secret, alg, issuer.secretKid);
      if (!result.ok) problems.push(`${path}.secret: ${result.reason}`);
      // Without a configured kid the secret is unnamed: it answers tokens whatever kid they carry, as a
      // single PEM key does. With one, a token naming a different kid is refused (no key of that name).
      else if (issuer.secretKid === undefined) unnamed.push(result.key);
      else imported.push(result.key);
    }
  } else {
    const list = Array.isArray(issuer.keys)
      ? issuer.keys
      : (issuer.keys as { keys: Record<string, unknown>[] }).keys;
    list.forEach((key, index) => {
      const result = typeof key === 'string' ? importPem(key, algorithms) : importJwk(key, algorithms);
      if (!result.ok) problems.push(`${path}.keys[${index}]: ${result.reason}`);
      else if (typeof key === 'string') unnamed.push(result.key);
      else imported.push(result.key);
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new StaticKeySource(issuer.issuer, new KeySet([...imported, ...unnamed]), new KeySet(unnamed));
}

function locator(issuer: ValidatedIssuer, fetchJson: JsonFetcher): () => Promise<string> {
  if (issuer.jwksUri !== undefined) {
    const uri = issuer.jwksUri;
    return async () => uri;
  }
  const kind = issuer.discovery ?? 'openid-configuration';
  let found: string | undefined;
  return async () => {
    found ??= await discoverJwksUri(issuer.issuer, kind, fetchJson);
    return found;
  };
}

/**
 * Builds the issuer table of a guard.
 *
 * @example
 * ```ts
 * const issuers = resolveIssuers(validateOptions(options), fetchJson);
 * ```
 */
export function resolveIssuers(
  options: ValidatedOptions,
  fetchJson: JsonFetcher,
  onKeySetChange?: (change: KeySetChange) => void,
): Map<string, GuardIssuer> {
  const table = new Map<string, GuardIssuer>();
  const problems: string[] = [];
  options.issuers.forEach((issuer, index) => {
    let keySource: KeySource;
    if (issuer.keys !== undefined || issuer.secret !== undefined) {
      try {
        keySource = staticKeySource(issuer, `issuers[${index}]`);
      } catch (error) {
        // Report the unusable keys of every issuer at once, not only the first issuer's.
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
        return;
      }
    } else {
      keySource = new RemoteKeySource({
        issuer: issuer.issuer,
        locate: locator(issuer, fetchJson),
        fetchJson,
        algorithms: issuer.algorithms as readonly SignatureAlgorithm[],
        timing: options.keyFetch,
        clock: options.clock,
        maxKeys: options.keyFetch.maxKeys,
        onFetch: options.keyFetch.onFetch,
        onChange: onKeySetChange,
      });
    }
    table.set(issuer.issuer, {
      issuer: issuer.issuer,
      algorithms: new Set(issuer.algorithms),
      keySource: new WithdrawableKeySource(keySource),
      tokenType: issuer.tokenType,
      claimRules: {
        audiences: new Set(typeof issuer.audience === 'string' ? [issuer.audience] : issuer.audience),
        requiredClaims: issuer.requiredClaims,
        clockToleranceSeconds: options.clockToleranceSeconds,
        maxTokenAgeSeconds: issuer.maxTokenAgeSeconds,
        maxLifetimeSeconds: issuer.maxLifetimeSeconds,
      },
      scopeClaims: Object.entries(issuer.scopeClaims),
      binding: issuer.binding,
    });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return table;
}
