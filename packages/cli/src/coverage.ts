#!/usr/bin/env node
/**
 * The `nevertrust-coverage` executable; see `coverage-command.ts`.
 *
 * @example
 * ```sh
 * npx nevertrust-coverage ./dist/app.js --export coverage
 * ```
 */
import { runCoverageCommand } from './coverage-command.js';

process.exitCode = await runCoverageCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
});
