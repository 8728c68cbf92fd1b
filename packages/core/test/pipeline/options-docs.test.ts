import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE } from '../../src/index.js';
import { guardSchema } from '../../src/pipeline/options-schema.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'docs');
const errorsDoc = readFileSync(join(docs, 'errors.md'), 'utf8');
const configurationDoc = readFileSync(join(docs, 'configuration.md'), 'utf8');

/** The cells of the errors.md table row for `code`, or undefined. */
function rowOf(code: string): string[] | undefined {
  const line = errorsDoc.split('\n').find((text) => new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`).test(text));
  return line
    ?.slice(1, -1)
    .split(' | ')
    .map((cell) => cell.trim());
}

describe('docs/errors.md is in step with ERROR_TABLE', () => {
  it.each(Object.entries(ERROR_TABLE))(
    '%s: status, RFC 6750 error, body error and description',
    (code, spec) => {
      const cells = rowOf(code);
      expect(cells, `no table row for ${code}`).toBeDefined();
      const [, status, challengeError, bodyError, description] = cells as string[];
      expect(Number(status)).toBe(spec.status);
      if (spec.error) expect(challengeError).toBe(`\`${spec.error}\``);
      else expect(challengeError?.startsWith('—')).toBe(true);
      expect(bodyError).toBe(`\`${spec.error ?? spec.bodyError ?? 'unauthorized'}\``);
      expect(description).toBe(spec.description);
    },
  );

  it('documents no code that does not exist', () => {
    const documented = [...errorsDoc.matchAll(/^\|\s*`(ERR_[A-Z_]+)`\s*\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_TABLE).sort());
  });
});

describe('docs/configuration.md names every option', () => {
  const shape = guardSchema().shape;
  const groups: [string, string[]][] = [
    ['top level', Object.keys(shape)],
    ['issuers[]', Object.keys(shape.issuers.def.element.shape)],
    ['keyFetch', Object.keys(shape.keyFetch.def.innerType.shape)],
  ];

  it.each(groups)('%s', (_, names) => {
    // Each option has its own table row (the tables are padded by the formatter).
    const missing = names.filter(
      (name) => !new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, 'm').test(configurationDoc),
    );
    expect(missing).toEqual([]);
  });
});
