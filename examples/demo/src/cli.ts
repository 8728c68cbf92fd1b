/** Command-line options of the demo. */
import { FRAMEWORKS, type Framework } from './api/index.js';

/** Parsed options. */
export interface DemoOptions {
  readonly framework: Framework;
  /** Keep the servers running after the tour, for manual requests. */
  readonly serve: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run demo -- [--framework express|koa|fastify|nestjs] [--serve]

  --framework NAME  the framework of the example API (default: express)
  --serve           keep the provider and the API running after the tour and print curl examples
  --help            this text`;

/**
 * Parses `process.argv.slice(2)`; throws an Error naming the bad argument.
 *
 * @example
 * ```ts
 * parseArguments(['--framework', 'koa']); // { framework: 'koa', serve: false, help: false }
 * ```
 */
export function parseArguments(args: readonly string[]): DemoOptions {
  let framework: Framework = 'express';
  let serve = false;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--serve') serve = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--framework' || arg.startsWith('--framework=')) {
      const value = arg === '--framework' ? args[++i] : arg.slice('--framework='.length);
      if (!FRAMEWORKS.includes(value as Framework)) {
        throw new Error(
          `--framework expects one of ${FRAMEWORKS.join(', ')}, got ${JSON.stringify(value ?? '')}`,
        );
      }
      framework = value as Framework;
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return { framework, serve, help };
}
