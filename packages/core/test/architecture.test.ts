/**
 * docs/architecture.md describes the core folder by folder; this keeps the description and the tree in
 * step: every stage folder the document lists exists, and every folder of `src` is listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, '..', 'src');
const doc = readFileSync(join(here, '..', '..', '..', 'docs', 'architecture.md'), 'utf8');

/** The folders the tree block after the stage-folders marker lists, in order. */
function documentedFolders(): string[] {
  const marker = doc.indexOf('<!-- stage folders:');
  const block = doc.slice(doc.indexOf('```', marker) + 3, doc.indexOf('```', doc.indexOf('```', marker) + 3));
  return [...block.matchAll(/^ {2}([a-z-]+)\/ /gm)].map((match) => match[1] as string);
}

describe('docs/architecture.md matches the tree of packages/core/src', () => {
  it('lists exactly the folders of src', () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(documentedFolders().sort()).toEqual(folders);
  });

  it('names a folder for every step of the pipeline table, and each exists', () => {
    const table = doc.slice(doc.indexOf('| step '), doc.indexOf('<!-- stage folders:'));
    const steps = [...table.matchAll(/^\| ([a-z]+) +\|/gm)].map((match) => match[1]);
    expect(steps).toEqual([
      'step',
      'plan',
      'admit',
      'extract',
      'verify',
      'bind',
      'authorise',
      'review',
      'record',
    ]);
    const named = [...table.matchAll(/`([a-z]+)\/`/g)].map((match) => match[1] as string);
    for (const folder of named) expect(readdirSync(src)).toContain(folder);
  });
});
