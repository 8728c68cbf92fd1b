/** Command-line options of the demo. */
import { FRAMEWORKS, type Framework } from './api/index.js';

/** Parsed options. */
export interface DemoOptions {
  readonly framework: Framework;
  /** Keep the servers running after the tour, for manual requests. */
  readonly serve: boolean;
  readonly help: boolean;
  /** 2: two instances sharing one Redis, and the steps that show a revocation holding on both. */
  readonly instances: 1 | 2;
}

export const USAGE = `usage: npm run demo -- [--framework express|koa|fastify|hono|nestjs] [--serve | --instances 2]

  --framework NAME  the framework of the example API (default: express)
  --serve           keep the provider and the API running after the tour and print curl examples
  --instances 2     two instances of the API sharing one Redis (a redis-server the demo starts): a token
                    revoked through one is refused by the other
  --help            this text`;

/**
 * Parses `process.argv.slice(2)`; throws an Error naming the bad argument.
 *
 * @example
 * ```ts
 * parseArguments(['--framework', 'koa']); // { framework: 'koa', serve: false, help: false, instances: 1 }
 * ```
 */
export function parseArguments(args: readonly string[]): DemoOptions {
  let framework: Framework = 'express';
  let serve = false;
  let help = false;
  let instances: 1 | 2 = 1;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--serve') serve = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--instances' || arg.startsWith('--instances=')) {
      const value = arg === '--instances' ? args[++i] : arg.slice('--instances='.length);
      if (value !== '1' && value !== '2') {
        throw new Error(`--instances expects 1 or 2, got ${JSON.stringify(value ?? '')}`);
      }
      instances = value === '2' ? 2 : 1;
    } else if (arg === '--framework' || arg.startsWith('--framework=')) {
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
  if (serve && instances === 2) throw new Error('--serve and --instances 2 cannot be combined');
  return { framework, serve, help, instances };
}
