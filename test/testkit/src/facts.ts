/** Request facts for driving the core directly in tests. */

/** Minimal request description: method, target and headers (each name may repeat). */
export interface FactsInput {
  readonly method?: string;
  readonly target?: string;
  readonly headers?: Record<string, string | readonly string[]>;
  readonly remoteAddress?: string;
  readonly routeId?: string;
}

/**
 * Builds core `RequestFacts` the way an adapter would from Node's `headersDistinct`.
 *
 * @example
 * ```ts
 * await guard.evaluate(requestFacts({ headers: { authorization: `Bearer ${token}` } }));
 * ```
 */
export function requestFacts(input: FactsInput = {}) {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers[name.toLowerCase()] = typeof value === 'string' ? [value] : [...value];
  }
  return {
    method: input.method ?? 'GET',
    target: input.target ?? '/orders',
    headers,
    remoteAddress: input.remoteAddress ?? '127.0.0.1',
    routeId: input.routeId,
  };
}

/** `Authorization: Bearer <token>` facts. */
export function bearer(token: string, input: FactsInput = {}) {
  return requestFacts({ ...input, headers: { ...input.headers, authorization: `Bearer ${token}` } });
}
