/**
 * `nevertrust-coverage <module> [--export <name>]`: loads an app module, takes its coverage report (or a
 * function returning one, built with an adapter's coverage function), prints it as a table, and exits
 * non-zero when a route has no declared requirement — so CI can keep every route covered.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CoverageReport, formatCoverage } from '@nevertrust/core';

/** Where the command writes. */
export interface CommandOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const USAGE = `usage: nevertrust-coverage <module> [--export <name>]
       nevertrust-coverage --help

Loads <module> (a path), takes its export <name> (default: coverage) — a coverage report, or a function
returning one — and prints it as a table.

exit status: 0 every route declared, 1 a route without a declared requirement, 2 usage or loading error`;

function isReport(value: unknown): value is CoverageReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as CoverageReport).rows) &&
    Array.isArray((value as CoverageReport).undeclared)
  );
}

/**
 * Runs the command; resolves to the exit code: 0 all routes declared (or help printed), 1 some
 * undeclared, 2 usage or loading error. An option it does not know is a usage error, never a module name.
 *
 * @example
 * ```ts
 * process.exitCode = await runCoverageCommand(process.argv.slice(2), { stdout: console.log, stderr: console.error });
 * ```
 */
export async function runCoverageCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  const positional: string[] = [];
  let exportName = 'coverage';
  if (args.some((arg) => arg === '--help' || arg === '-h')) {
    output.stdout(USAGE);
    return 0;
  }
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--export') {
      const name = args[index + 1];
      if (name === undefined) {
        output.stderr(USAGE);
        return 2;
      }
      exportName = name;
      index += 1;
    } else if (arg?.startsWith('-')) {
      output.stderr(`unknown option ${arg}\n${USAGE}`);
      return 2;
    } else if (arg !== undefined) positional.push(arg);
  }
  const [modulePath] = positional;
  if (modulePath === undefined || positional.length > 1) {
    output.stderr(USAGE);
    return 2;
  }
  let report: unknown;
  try {
    const loaded = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
    const exported = loaded[exportName];
    report = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  } catch (error) {
    output.stderr(`cannot load ${modulePath}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (!isReport(report)) {
    output.stderr(
      `${modulePath}: export "${exportName}" is not a coverage report or a function returning one`,
    );
    return 2;
  }
  output.stdout(formatCoverage(report));
  return report.undeclared.length > 0 ? 1 : 0;
}
