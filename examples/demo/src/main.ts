/**
 * `npm run demo`: the command-line entry of the demo (see demo.ts). Exits 0 when every step behaved as
 * expected, 1 otherwise, 2 on bad arguments.
 */
import { type DemoOptions, parseArguments, USAGE } from './cli.js';
import { runDemo } from './demo.js';
import { createOutput } from './output.js';
import { runTwoInstances } from './two-instances.js';

// The tour takes a few seconds; anything near this limit is a hang, and a demo must never hang.
const WATCHDOG_MS = 120_000;

const out = createOutput({
  write: (text) => process.stdout.write(text),
  color: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined,
});

let options: DemoOptions;
try {
  options = parseArguments(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!options.serve) {
  setTimeout(() => {
    console.error(`\n✗ the demo did not finish within ${WATCHDOG_MS / 1000} s`);
    process.exit(1);
  }, WATCHDOG_MS).unref();
}
(options.instances === 2 ? runTwoInstances(options, out) : runDemo(options, out)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\n✗ the demo could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
