#!/usr/bin/env node
/**
 * `nevertrust-audit`: verifies hash-chained audit files and prints the audit record JSON Schema.
 *
 *   nevertrust-audit verify [--key-file FILE] [--continues] [--json] FILE...   (oldest file first)
 *   nevertrust-audit schema
 *   nevertrust-audit --help
 *
 * Exit status: 0 intact, 1 broken or missing record, 2 usage or I/O error, 3 intact apart from torn lines.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { auditJsonSchema, verifyAuditChain } from '@nevertrust/core/sinks';

const USAGE = `usage: nevertrust-audit verify [--key-file FILE] [--continues] [--json] FILE...
       nevertrust-audit schema
       nevertrust-audit --help

verify   checks hash-chained audit files, oldest first (rotated files before the current one)
  --key-file FILE  the HMAC key: the file's raw bytes, exactly as given to createHashChainSink({ key })
  --continues      accept a first record that continues an earlier file
  --json           print the result as JSON
schema   prints the JSON Schema of audit records

exit status: 0 intact, 1 broken or missing record, 2 usage or I/O error, 3 intact apart from torn lines`;

const HELP = new Set(['--help', '-h', 'help']);

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'key-file': { type: 'string' },
      continues: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new Error('expected at least one file');
  // Read from a file, never from the command line (where `ps` and shell history would keep it), and as raw
  // bytes — no trimming, no decoding — so a binary key or a trailing newline means what the sink was given.
  const keyFile = values['key-file'];
  const key = keyFile === undefined ? undefined : readFileSync(keyFile);
  const result = await verifyAuditChain(positionals, {
    ...(key === undefined ? {} : { key }),
    allowContinuation: values.continues,
  });
  const torn = result.torn ?? [];
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    for (const tear of torn) {
      process.stdout.write(`torn: ${tear.file}:${tear.line}: incomplete line (a write cut short), skipped\n`);
    }
    if (result.ok) {
      const head = result.head ? `, head seq ${result.head.seq} hash ${result.head.hash}` : '';
      const first =
        result.first && result.first.seq > 0 ? `, continues from seq ${result.first.seq - 1}` : '';
      process.stdout.write(`ok: ${result.records} records intact${first}${head}\n`);
    } else {
      process.stdout.write(`broken: ${result.file}:${result.line}: ${result.problem}: ${result.message}\n`);
    }
  }
  if (!result.ok) return 1;
  return torn.length > 0 ? 3 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && HELP.has(command)) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'verify') return verify(rest);
  if (command === 'schema') {
    process.stdout.write(`${JSON.stringify(auditJsonSchema(), null, 2)}\n`);
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`nevertrust-audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
