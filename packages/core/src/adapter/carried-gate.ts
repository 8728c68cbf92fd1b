/**
 * Opening a gate from facts an adapter built itself, kept on an object of the adapter's choosing: the
 * fetch adapters build facts from a `Request` and keep the gate on it (or on the framework's context), so
 * `findGate`, `requireGate` and decorated handlers find it there like on a Node request.
 */
import type { RequestFacts } from '../model/facts.js';
import type { ResolvedAdapterOptions } from './adapter-options.js';
import { GATE, type GateCarrier } from './gate-lookup.js';
import { type DenialWriter, type GateResponse, RequestGate } from './request-gate.js';

/**
 * The gate kept on `carrier`, opened with `facts` if there is none yet (a second `nevertrust` on the same
 * request keeps the first gate).
 *
 * @example
 * ```ts
 * const gate = openCarriedGate(c, settings, toRequestFactsFromFetch(c.req.raw), exchange, writeDenial);
 * ```
 */
export function openCarriedGate(
  carrier: object,
  settings: ResolvedAdapterOptions,
  facts: RequestFacts,
  response: GateResponse,
  write: DenialWriter,
): RequestGate {
  const existing = (carrier as GateCarrier)[GATE];
  if (existing) return existing;
  const gate = new RequestGate(settings, facts, response, write);
  (carrier as GateCarrier)[GATE] = gate;
  return gate;
}
