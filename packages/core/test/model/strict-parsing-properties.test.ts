/**
 * Property tests of the fast paths of strict parsing (issue 7) against plain reference readings:
 * the duplicate-name proof of `parseStrictJsonObject` (checklist J-13, attacks #21, #22) and the in-place
 * segment checks of `parseCompactJws` (J-3, J-14, attacks #3, #33, #34, #38). Inputs are adversarial for
 * the shortcuts: colons inside names and values, escaped colons, escaped names, whitespace around
 * separators, `__proto__`, deep nesting. Runs are bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStrictJsonObject } from '../../src/model/strict-json.js';
import { isCanonicalBase64Url, parseCompactJws } from '../../src/token/compact-jws.js';

const RUNS = 2000;

/** How one string literal is written: as JSON.stringify would, every code unit as \uXXXX, or colons escaped. */
type Spelling = 'plain' | 'unicode' | 'colon-escaped';

type Json =
  | { readonly kind: 'object'; readonly members: readonly (readonly [string, Spelling, string, Json])[] }
  | { readonly kind: 'array'; readonly items: readonly Json[] }
  | { readonly kind: 'string'; readonly value: string; readonly spelling: Spelling }
  | { readonly kind: 'number'; readonly value: number };

function literal(text: string, spelling: Spelling): string {
  switch (spelling) {
    case 'plain':
      return JSON.stringify(text);
    case 'unicode':
      return `"${Array.from({ length: text.length }, (_, index) => `\\u${text.charCodeAt(index).toString(16).padStart(4, '0')}`).join('')}"`;
    case 'colon-escaped':
      return JSON.stringify(text).replaceAll(':', '\\u003a');
  }
}

function serialise(node: Json): string {
  switch (node.kind) {
    case 'object':
      return `{${node.members
        .map(
          ([name, spelling, space, value]) =>
            `${literal(name, spelling)}${space}:${space}${serialise(value)}`,
        )
        .join(',')}}`;
    case 'array':
      return `[${node.items.map(serialise).join(',')}]`;
    case 'string':
      return literal(node.value, node.spelling);
    case 'number':
      return String(node.value);
  }
}

/** The reference reading: any object with two equal names, or a `__proto__` name, anywhere. */
function hasBadName(node: Json): boolean {
  switch (node.kind) {
    case 'object': {
      const names = node.members.map(([name]) => name);
      if (names.includes('__proto__') || new Set(names).size !== names.length) return true;
      return node.members.some(([, , , value]) => hasBadName(value));
    }
    case 'array':
      return node.items.some(hasBadName);
    default:
      return false;
  }
}

// Few names, so duplicates are common; colons and quotes so the colon count has something to get wrong.
const name = fc.constantFrom('a', 'b', 'a:b', ':', '::', 'x"y', '\\', 'é', '', '__proto__', 'constructor');
const text = fc.constantFrom(
  '',
  ':',
  'a:b',
  'https://idp.test/',
  '"',
  '\\:',
  'orders:read orders:write',
  'x',
);
const spelling = fc.constantFrom<Spelling>('plain', 'plain', 'plain', 'unicode', 'colon-escaped');
const space = fc.constantFrom('', '', ' ', '\n');

const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('number' as const), value: fc.integer() }),
    fc.record({ kind: fc.constant('string' as const), value: text, spelling }),
    fc.record({ kind: fc.constant('array' as const), items: fc.array(tie('json'), { maxLength: 3 }) }),
    fc.record({
      kind: fc.constant('object' as const),
      members: fc.array(fc.tuple(name, spelling, space, tie('json')), { maxLength: 4 }),
    }),
  ),
}));
const object = fc.record({
  kind: fc.constant('object' as const),
  members: fc.array(fc.tuple(name, spelling, space, json), { maxLength: 5 }),
});

describe('J-13/#21/#22: the duplicate-name proof agrees with a plain reading', () => {
  it('every generated object is refused exactly when it has a duplicate or "__proto__" name', () => {
    fc.assert(
      fc.property(object, (node) => {
        const source = serialise(node);
        const result = parseStrictJsonObject(source);
        expect(result.ok).toBe(!hasBadName(node));
        if (result.ok) expect(result.value).toEqual(JSON.parse(source));
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    // A dropped duplicate whose value held colons, balanced by nothing: the count must differ.
    ['a duplicate whose first value has colons', '{"a":"x:y","a":"z"}'],
    ['a duplicate whose second value has colons', '{"a":"z","a":"x:y"}'],
    ['a duplicate name made of colons', '{"::":1,"::":2}'],
    ['a duplicate with a space before the colon', '{"a" :1,"a":2}'],
    ['a duplicate hidden by an escaped colon elsewhere', '{"a":1,"a":2,"b":"\\u003a"}'],
    ['a duplicate dropping a nested object with colons', '{"a":{"k:":"v:"},"a":1}'],
    ['a duplicate below the depth the count walks', `{"x":${'['.repeat(40)}{"a":1,"a":2}${']'.repeat(40)}}`],
    [
      '"__proto__" below the depth the count walks',
      `{"x":${'['.repeat(40)}{"__proto__":1}${']'.repeat(40)}}`,
    ],
  ])('%s is refused', (_name, source) => {
    expect(parseStrictJsonObject(source).ok).toBe(false);
  });

  it('deeply nested objects without duplicates are accepted (the full scan decides)', () => {
    const source = `{"x":${'['.repeat(40)}{"a":1,"b":"c:d"}${']'.repeat(40)}}`;
    expect(parseStrictJsonObject(source)).toMatchObject({ ok: true });
  });
});

/** The plain reading of a compact JWS's format, as the parser was first written: split, then check each. */
function referenceFormat(token: string): { code: string; detail: string } | undefined {
  const segments = token.split('.');
  if (segments.length === 5)
    return { code: 'ERR_TOKEN_UNSUPPORTED_FORMAT', detail: 'JWE (five segments) is not accepted' };
  if (segments.length !== 3)
    return { code: 'ERR_TOKEN_MALFORMED', detail: `expected 3 segments, got ${segments.length}` };
  const [header, payload, signature] = segments as [string, string, string];
  if (!isCanonicalBase64Url(header) || !isCanonicalBase64Url(payload))
    return { code: 'ERR_TOKEN_MALFORMED', detail: 'header or payload is not canonical base64url' };
  if (!isCanonicalBase64Url(signature))
    return { code: 'ERR_TOKEN_MALFORMED', detail: 'signature is missing or not canonical base64url' };
  return undefined;
}

const HEADER = Buffer.from('{"alg":"ES256","typ":"at+jwt"}').toString('base64url');
const PAYLOAD = Buffer.from('{"iss":"https://idp.test/","sub":"u:1"}').toString('base64url');
const SIGNATURE = Buffer.alloc(64, 7).toString('base64url');
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const hostile = fc.constantFrom(...B64URL, '.', '.', '=', '+', '/', ' ', '\n', '\u00e9', '\u0000');

describe('J-3/J-14/#3/#33/#34/#38: the in-place segment checks agree with a plain reading', () => {
  it('random and mutated tokens get the verdict and detail of split-and-check', () => {
    const base = fc.constantFrom(
      `${HEADER}.${PAYLOAD}.${SIGNATURE}`,
      // A header the parser has already cached, then altered around it.
      `${HEADER}.${PAYLOAD}.`,
      `${HEADER}..${SIGNATURE}`,
    );
    const edit = fc.record({
      at: fc.nat({ max: 400 }),
      remove: fc.nat({ max: 2 }),
      insert: fc.string({ unit: hostile, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: hostile, maxLength: 40 }),
          fc.tuple(base, fc.array(edit, { maxLength: 3 })).map(([token, edits]) =>
            edits.reduce((current, { at, remove, insert }) => {
              const where = at % (current.length + 1);
              return current.slice(0, where) + insert + current.slice(where + remove);
            }, token),
          ),
        ),
        (token) => {
          const expected = referenceFormat(token);
          const parsed = parseCompactJws(token);
          if (expected) expect(parsed).toEqual({ ok: false, ...expected });
          // Past the format checks only the JSON can still fail, and never with a format detail.
          else if (!parsed.ok) expect(parsed.detail).toMatch(/^(header|payload)/);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
