/**
 * The guard: extract → verify → authorise → record, for one request at a time. `evaluate` never throws
 * for anything a request did; an unexpected internal fault becomes a deny (fail closed). This file wires
 * the stages together; the steps live in `decide.ts` (token work), `evaluate.ts` (stage order and the
 * synchronous/asynchronous seam) and `decisions.ts` (decisions and their audit events).
 */
import { guardHealth } from '../audit/guard-health.js';
import { createCertificateCheck, createCertificateReader } from '../bind/client-certificate.js';
import { dpopAlgs, resolveDpop } from '../bind/dpop-options.js';
import { createBinder } from '../bind/sender-binding.js';
import { createWorkloadReader } from '../bind/workload-identity.js';
import { createJsonFetcher } from '../keys/fetch-json.js';
import { createKeyControl, createKeyEvents } from '../keys/guard-keys.js';
import { createRefusals } from '../model/refusals.js';
import { createPolicyLayer } from '../policy/policy-layer.js';
import { toRequirement } from '../policy/requirements.js';
import { resourceMetadataLocation } from '../policy/resource-metadata.js';
import { createTokenCache } from '../token/token-cache.js';
import { createDecider } from './decide.js';
import { completedEvent, createDecisionBuilder } from './decisions.js';
import { createEvaluator } from './evaluate.js';
import { EVALUATE_NOW, type Guard, type InternalGuard } from './guard-api.js';
import { guardClock } from './guard-clock.js';
import { createGuardIntrospector } from './introspection-setup.js';
import { resolveIssuers } from './issuers.js';
import { keyHealthOf, reportedKeySets } from './key-sets.js';
import { createMonitor } from './monitor.js';
import { type GuardOptions, validateOptions } from './options.js';
import { createSignalEndpoints, createTransmitterKeys } from './signals.js';

// The guard's contract is importable from here, next to `createGuard`, as it always was.
export {
  type Completion,
  EVALUATE_NOW,
  type EvaluateOptions,
  type Guard,
  type InternalGuard,
} from './guard-api.js';

/**
 * Creates a guard from options; throws {@link ConfigError} when they are wrong.
 *
 * @example
 * ```ts
 * const guard = createGuard({
 *   issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }],
 *   onAudit: (event) => console.log(event.outcome, event.reason),
 * });
 * ```
 */
export function createGuard(options: GuardOptions): Guard {
  const validated = validateOptions(options);
  const { currentTime, auditTime } = guardClock(validated.clock);
  const metadataResource = validated.resourceMetadata?.resource;
  const refusals = createRefusals({
    realm: validated.realm,
    resourceMetadata: metadataResource ? resourceMetadataLocation(metadataResource).url : undefined,
    dpopAlgs: validated.dpop && dpopAlgs(validated.dpop),
  });
  // Record step and the analysis around evaluation (audit sinks, metrics, rate limits, detectors).
  const monitor = createMonitor({
    monitoring: validated.monitoring,
    onAudit: validated.onAudit,
    onFetch: validated.keyFetch.onFetch,
    refusals,
    clock: auditTime,
    // Read when a fetch is reported, by then the key sets below exist.
    keyHealth: (issuer) => keyHealthOf(keySets, issuer),
  });
  const { fetchJson, close } = createJsonFetcher(validated.keyFetch);
  const keyEvents = createKeyEvents(monitor.record, auditTime);
  // Every key fetch, a transmitter's too, is reported to the monitor (metrics, log, key-refused records).
  const reporting = { ...validated, keyFetch: { ...validated.keyFetch, onFetch: monitor.onKeyFetch } };
  const issuers = resolveIssuers(reporting, fetchJson, keyEvents.onKeySetChange);
  const transmitters = createTransmitterKeys(reporting, fetchJson, keyEvents.onKeySetChange);
  const keySets = { issuers, transmitters };
  const cache = validated.cache === false ? undefined : createTokenCache(validated.cache);
  const introspector = createGuardIntrospector(validated, issuers, fetchJson, monitor.onIntrospection);
  const layer = createPolicyLayer({ ...validated, onStoreFault: monitor.storeFault });
  const dpop = validated.dpop && resolveDpop(validated.dpop, monitor.storeFault);
  const decide = createDecider({
    extraction: {
      allowQueryToken: validated.allowQueryToken,
      maxTokenBytes: validated.maxTokenBytes,
      dpop: dpop !== undefined,
    },
    issuers,
    cache,
    introspector,
    authoriser: layer.authoriser,
    bind: createBinder(dpop, validated.mtls ? createCertificateCheck(validated.mtls) : undefined),
    workloads: validated.mtls ? createWorkloadReader(createCertificateReader(validated.mtls)) : undefined,
    currentTime,
  });
  const decisions = createDecisionBuilder(refusals, auditTime);
  const signals = createSignalEndpoints(validated, {
    issuers,
    transmitterKeys: transmitters,
    revocation: layer.revocation,
    record: monitor.record,
    currentTime,
    auditTime,
  });
  const evaluateNow = createEvaluator({ authoriser: layer.authoriser, monitor, decide, decisions });

  // Stores that can say whether they answer now (a shared store's link), for guard.health().
  const reportingStores = new Map([
    ['revocation' as const, validated.revocation?.store ?? {}],
    ['counters' as const, validated.monitoring.counterStore ?? {}],
    ['dpop-replay' as const, validated.dpop?.replay?.store ?? {}],
  ]);
  const keyControl = createKeyControl(
    new Map([...issuers].map(([name, issuer]) => [name, issuer.keySource])),
    keyEvents,
    reportedKeySets(validated, keySets),
  );
  const guard: InternalGuard = {
    evaluate(facts, requirement, evaluateOptions) {
      try {
        // An adapter's route marker stands for its requirement here too.
        return Promise.resolve(
          evaluateNow(facts, requirement && toRequirement(requirement), evaluateOptions),
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },
    [EVALUATE_NOW]: evaluateNow,
    recordAudit(decision, completion) {
      monitor.record(completedEvent(decision, completion));
    },
    async ready() {
      // A transmitter's keys are loaded too, so that health reports them from the start, but a transmitter
      // out of reach does not hold the API back: only its signals are refused until its keys load.
      const signalKeys = Promise.allSettled([...transmitters.values()].map((t) => t.keySource.warmUp()));
      await Promise.all([...issuers.values()].map((issuer) => issuer.keySource.warmUp()));
      await signalKeys;
    },
    async close() {
      await monitor.close();
      introspector?.close();
      await close();
    },
    flushAudit: (timeoutMs) => monitor.flush(timeoutMs),
    auditHealth: () => monitor.stats(),
    health: () => guardHealth(keyControl.health(), monitor.stats(), monitor.stores(), reportingStores),
    revocation: layer.revocation,
    keys: keyControl,
    resourceMetadata: layer.resourceMetadata,
    signals,
    policy: layer.view,
  };
  return guard;
}
