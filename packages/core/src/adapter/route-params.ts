/**
 * What the framework knows about the matched route, and the normalisation of its parameters into the
 * plain strings the policy table and the audit trail take.
 */

/** What the framework knows about the matched route. */
export interface RouteInfo {
  /** The route template (`/api/orders/:id`), for the audit trail and the policy table. */
  readonly routeId?: string | undefined;
  /** The framework's route parameters; only string values (or lists of them, joined by `/`) are kept. */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

/**
 * The string parameters of a route: strings kept, lists of strings joined by `/` (a wildcard's segments),
 * anything else dropped, so a framework's own objects never reach a policy or a record.
 *
 * @example
 * ```ts
 * routeParams({ id: '42', rest: ['a', 'b'], parsed: 42 }); // { id: '42', rest: 'a/b' }
 * ```
 */
export function routeParams(params: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> {
  let result: Record<string, string> | undefined;
  for (const name in params) {
    if (!Object.hasOwn(params, name)) continue;
    const value = params[name];
    let text: string | undefined;
    if (typeof value === 'string') text = value;
    else if (Array.isArray(value) && value.every((part) => typeof part === 'string')) text = value.join('/');
    if (text === undefined) continue;
    result ??= Object.create(null) as Record<string, string>;
    result[name] = text;
  }
  // Most routes have no parameters: one shared empty object instead of one per request.
  return result ? Object.freeze(result) : NO_PARAMS;
}
