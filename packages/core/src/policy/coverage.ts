/**
 * The coverage report: every route of an app with its method, its requirement (from the route itself,
 * the policy table, or both), whether it is public, and the routes nobody declared anything for. Each
 * adapter lists its framework's routes; this module decides what covers them and prints the table.
 */
import { describeRequirement } from './describe.js';
import type { PolicyView } from './policy-layer.js';
import type { Requirement } from './requirement.js';

/**
 * What kind of handler a row is: a `route` (a method and a pattern), a `mount` (a handler mounted at a
 * path prefix with `use`, answering any method below it: a GraphQL server, a proxy, static files, a
 * sub-application), or a `fallback` (a handler that can answer what no route took: a catch-all, a
 * not-found handler, any middleware after nevertrust that is not a route).
 */
export type HandlerKind = 'route' | 'mount' | 'fallback';

/** A route as an adapter found it in the app. */
export interface DeclaredRoute {
  /** Default `'route'`. */
  readonly kind?: HandlerKind;
  /** Upper-case method, or `*` for a route answering every method. */
  readonly method: string;
  /** The route pattern as registered (`/orders/:id`). */
  readonly path: string;
  /** The requirements declared on the route itself (markers, declarations); none when it states nothing. */
  readonly requirements?: readonly Requirement[];
  /** `false` when the route is registered where nevertrust does not see it (before the middleware). */
  readonly protected?: boolean;
  /**
   * `true` when the adapter could not read what the route states (Fastify: registered before the plugin,
   * so its hooks were never announced); the route is still decided, against what its context shows.
   */
  readonly unread?: boolean;
}

/** One line of the report. */
export interface CoverageRow {
  readonly kind: HandlerKind;
  readonly method: string;
  readonly path: string;
  /** The effective requirement, described; `undefined` when nothing was declared. */
  readonly requirement: string | undefined;
  /** Whether the route may be called without credentials. */
  readonly public: boolean;
  readonly source: 'route' | 'table' | 'route+table' | 'none';
  /** Whether the table entry is in dry-run (or the guard is, globally). */
  readonly dryRun: boolean;
  /** Why the route is not covered, and what happens to its requests; absent when it is covered. */
  readonly undeclared?:
    | 'authenticated by default'
    | 'refused (strict mode)'
    | 'refused (no table entry)'
    | 'NOT PROTECTED: registered before nevertrust'
    | 'authenticated by default, hooks unread: registered before nevertrust';
}

/** The coverage of one app. */
export interface CoverageReport {
  readonly strict: boolean;
  readonly rows: readonly CoverageRow[];
  /** The rows no declaration covers: nothing declared, no table entry, or not behind nevertrust at all. */
  readonly undeclared: readonly CoverageRow[];
}

function rowOf(route: DeclaredRoute, policy: PolicyView): CoverageRow {
  const method = route.method.toUpperCase();
  const base = { kind: route.kind ?? 'route', method, path: route.path };
  if (route.unread) {
    return {
      ...base,
      requirement: undefined,
      public: false,
      source: 'none',
      dryRun: policy.dryRun,
      undeclared: 'authenticated by default, hooks unread: registered before nevertrust',
    };
  }
  if (route.protected === false) {
    return {
      ...base,
      requirement: undefined,
      public: false,
      source: 'none',
      dryRun: false,
      undeclared: 'NOT PROTECTED: registered before nevertrust',
    };
  }
  // A route pattern is matched as if it were a path: `:id` and `*` segments fall into the entry's own.
  const match = policy.table?.match(method === '*' ? 'GET' : method, route.path);
  const own = route.requirements ?? [];
  const parts = match ? [match.route.requirement, ...own] : [...own];
  const dryRun = policy.dryRun || (match?.route.dryRun ?? false);
  if (policy.table && !match) {
    // Deny by default: whatever the route states, a request matching no entry is refused.
    const requirement =
      own.length > 0 ? own.map((part) => describeRequirement(part, { full: true })).join(' + ') : undefined;
    return {
      ...base,
      requirement,
      public: false,
      source: own.length > 0 ? 'route' : 'none',
      dryRun,
      undeclared: 'refused (no table entry)',
    };
  }
  if (parts.length === 0) {
    const undeclared = policy.table
      ? ('refused (no table entry)' as const)
      : policy.strict
        ? ('refused (strict mode)' as const)
        : ('authenticated by default' as const);
    return { ...base, requirement: undefined, public: false, source: 'none', dryRun, undeclared };
  }
  const source = match && own.length > 0 ? 'route+table' : match ? 'table' : 'route';
  const text = parts.map((part) => describeRequirement(part, { full: true })).join(' + ');
  return {
    ...base,
    requirement: text,
    public: parts.every((part) => part.type === 'public'),
    source,
    dryRun,
  };
}

/**
 * Builds the coverage report of an app's routes under a guard's policy.
 *
 * @example
 * ```ts
 * const report = buildCoverage([{ method: 'GET', path: '/orders/:id', requirement: requireScopes('orders:read') }], guard.policy);
 * report.undeclared.length; // 0
 * ```
 */
export function buildCoverage(routes: readonly DeclaredRoute[], policy: PolicyView): CoverageReport {
  const rows = routes
    .map((route) => rowOf(route, policy))
    .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  return { strict: policy.strict, rows, undeclared: rows.filter((row) => row.undeclared !== undefined) };
}

/**
 * Prints a report as an aligned text table with a summary line.
 *
 * @example
 * ```ts
 * console.log(formatCoverage(report));
 * // KIND   METHOD  PATH         REQUIREMENT              SOURCE
 * // route  GET     /health      public                   table
 * ```
 */
export function formatCoverage(report: CoverageReport): string {
  const header = ['KIND', 'METHOD', 'PATH', 'REQUIREMENT', 'SOURCE'];
  const lines = report.rows.map((row) => [
    row.kind,
    row.method,
    row.path,
    row.requirement === undefined
      ? `(none: ${row.undeclared})`
      : `${row.requirement}${row.dryRun ? ' [dry-run]' : ''}${row.undeclared ? ` (${row.undeclared})` : ''}`,
    row.source,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ');
  const publicCount = report.rows.filter((row) => row.public).length;
  const routes = report.rows.filter((row) => row.kind === 'route').length;
  const others = report.rows.length - routes;
  const handlers = others === 0 ? '' : ` and ${others} other handler${others === 1 ? '' : 's'}`;
  const summary = `${routes} routes${handlers}, ${publicCount} public, ${report.undeclared.length} without a declared requirement`;
  return [format(header), ...lines.map(format), '', summary].join('\n');
}
