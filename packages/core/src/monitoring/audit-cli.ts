#!/usr/bin/env node
/**
 * `nevertrust-audit`: verifies hash-chained audit files and prints the audit record JSON Schema.
 *
 *   nevertrust-audit verify [--key-file FILE] [--continues] [--json] FILE...   (oldest file first)
 *   nevertrust-audit schema
 *
 * Exit status: 0 intact, 1 broken or missing record, 2 usage or I/O error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyAuditChain } from './chain.js';
import { auditJsonSchema } from './schema.js';

const USAGE = `usage: nevertrust-audit verify [--key-file FILE] [--continues] [--json] FILE...
       nevertrust-audit schema`;

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'key-file': { type: 'string' },
      continues: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new Error('expected at least one file');
  // The key is read from a file, never from the command line (where `ps` and shell history would keep it).
  const keyFile = values['key-file'];
  const key = keyFile === undefined ? undefined : readFileSync(keyFile, 'utf8').trim();
  const result = await verifyAuditChain(positionals, {
    ...(key === undefined ? {} : { key }),
    allowContinuation: values.continues,
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (result.ok) {
    const head = result.head ? `, head seq ${result.head.seq} hash ${result.head.hash}` : '';
    const first = result.first && result.first.seq > 0 ? `, continues from seq ${result.first.seq - 1}` : '';
    process.stdout.write(`ok: ${result.records} records intact${first}${head}\n`);
  } else {
    process.stdout.write(`broken: ${result.file}:${result.line}: ${result.problem}: ${result.message}\n`);
  }
  return result.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
