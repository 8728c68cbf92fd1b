/**
 * Strict JSON object parsing for JOSE headers and JWT claim sets.
 *
 * `JSON.parse` lets the last of two equal names win and turns `"__proto__"` into an own property. A gateway
 * that reads the first value while we read the last is a parser differential (RFC 7515 §5.2, checklist
 * J-13, attack #21), and `__proto__` keys are the prototype-pollution vector of attack #22. Tokens with
 * either are refused instead of interpreted.
 */

/** A parsed JSON object with no duplicate or prototype-polluting names, at any depth. */
export type JsonObject = Readonly<Record<string, unknown>>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) return i;
  }
  return text.length;
}

/**
 * Names the first duplicate or forbidden member name in already-valid JSON text, or returns undefined.
 * Walks the text once; escaped names are decoded so `"a"` and `"\u0061"` count as the same name.
 */
function findBadName(text: string): string | undefined {
  const objects: (Set<string> | null)[] = [];
  let expectingName = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = endOfString(text, i);
      const current = objects[objects.length - 1];
      if (expectingName && current) {
        const raw = text.slice(i + 1, end);
        const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (name === '__proto__' || current.has(name)) return name;
        current.add(name);
        expectingName = false;
      }
      i = end;
    } else if (code === 0x7b /* { */) {
      objects.push(new Set());
      expectingName = true;
    } else if (code === 0x5b /* [ */) {
      objects.push(null);
      expectingName = false;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      objects.pop();
      expectingName = false;
    } else if (code === 0x2c /* , */) {
      expectingName = objects[objects.length - 1] != null;
    }
  }
  return undefined;
}

// The walk below stops this deep (A12): a token is at most 8 KiB, but no walk is ever unbounded. Anything
// deeper is left to the full scan.
const MAX_DEPTH = 32;
const COLON = ':';

function colonsIn(text: string): number {
  let count = 0;
  for (let at = text.indexOf(COLON); at !== -1; at = text.indexOf(COLON, at + 1)) count++;
  return count;
}

/** What {@link tally} counted in a parse result: member names, and colons inside names and strings. */
interface Tally {
  names: number;
  colons: number;
  /** False when the walk stopped early (too deep) or met a `__proto__` member. */
  complete: boolean;
}

function tallyString(text: string, counts: Tally): void {
  if (text.includes(COLON)) counts.colons += colonsIn(text);
}

/** Counts what survived `JSON.parse`, for the duplicate-name proof of {@link provablyDistinct}. */
function tally(value: object, depth: number, counts: Tally): void {
  if (depth > MAX_DEPTH) {
    counts.complete = false;
    return;
  }
  if (Array.isArray(value)) {
    for (const entry of value as unknown[]) {
      if (typeof entry === 'string') tallyString(entry, counts);
      else if (typeof entry === 'object' && entry !== null) tally(entry, depth + 1, counts);
    }
    return;
  }
  const node = value as Record<string, unknown>;
  // for…in allocates no key array. An enumerable name inherited from a polluted Object.prototype would
  // only be counted in excess, which fails the proof and sends the text to the full scan.
  for (const name in node) {
    // JSON.parse makes "__proto__" an own member; the full scan names it for the refusal.
    if (name === '__proto__') counts.complete = false;
    counts.names++;
    tallyString(name, counts);
    const entry = node[name];
    if (typeof entry === 'string') tallyString(entry, counts);
    else if (typeof entry === 'object' && entry !== null) tally(entry, depth + 1, counts);
  }
}

/**
 * True when the parse provably kept every member name of `text`, so no object had a duplicate name.
 *
 * In JSON text without escapes, every `:` is either the separator of exactly one member or a character
 * of a string literal, and each string literal's content is the parsed string itself. `JSON.parse` keeps
 * one member per distinct name, dropping the earlier duplicates with their values, so
 * `colons(text) = members(text) + colons(string literals) ≥ names(parsed) + colons(parsed strings)`, with
 * equality exactly when no member was dropped. Text with escapes (`"\u0061"` equals `"a"`) or anything
 * the walk did not see is checked by the full scan instead.
 */
function provablyDistinct(text: string, counts: Tally): boolean {
  return counts.complete && !text.includes('\\') && colonsIn(text) === counts.names + counts.colons;
}

/** Result of {@link parseStrictJsonObject}. */
export type StrictJsonResult =
  | { readonly ok: true; readonly value: JsonObject }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses `text` as a JSON object, refusing non-objects, duplicate names and `__proto__` names. The full
 * scan for duplicates runs only when a cheap count cannot prove there are none (measured in the benchmarks).
 *
 * @example
 * ```ts
 * parseStrictJsonObject('{"a":1,"a":2}'); // { ok: false, reason: 'duplicate or forbidden name "a"' }
 * ```
 */
export function parseStrictJsonObject(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const counts: Tally = { names: 0, colons: 0, complete: true };
  tally(value, 0, counts);
  if (!provablyDistinct(text, counts)) {
    const bad = findBadName(text);
    if (bad !== undefined)
      return { ok: false, reason: `duplicate or forbidden name ${JSON.stringify(bad.slice(0, 40))}` };
  }
  return { ok: true, value: value as JsonObject };
}
