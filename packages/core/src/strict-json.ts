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

/** Result of {@link parseStrictJsonObject}. */
export type StrictJsonResult =
  | { readonly ok: true; readonly value: JsonObject }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses `text` as a JSON object, refusing non-objects, duplicate names and `__proto__` names.
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
  const bad = findBadName(text);
  if (bad !== undefined)
    return { ok: false, reason: `duplicate or forbidden name ${JSON.stringify(bad.slice(0, 40))}` };
  return { ok: true, value: value as JsonObject };
}
