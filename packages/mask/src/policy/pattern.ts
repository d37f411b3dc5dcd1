/**
 * A `columns[].match` pattern, compared case-insensitively. `*` stands for any run of characters.
 *
 * - Against a CSV column name the pattern is a plain glob: `email`, `*_ssn`, `phone*`.
 * - Against a JSONL field path (keys joined with `.`, arrays transparent: `items[0].card` is `items.card`) it
 *   matches the whole path, a `*` inside a key stays inside that key, and a key that is just `*` stands for any
 *   number of keys (none included): `customer.email`, `items.*.card` (also `items.card`), `*.email` (at any depth).
 *
 * Matching is hand-written rather than a regex so it stays polynomial-free on hostile input (deeply nested keys,
 * long names): O(pattern × text) at worst.
 */
export interface ColumnPattern {
  readonly pattern: string;
  matchesColumn(name: string): boolean;
  matchesPath(path: string): boolean;
}

/** A path pattern's key: a glob within one key, or `*` alone (any number of keys). */
type KeyPattern = string | typeof anyKeys;
const anyKeys = Symbol('any keys');

export function compileColumnPattern(pattern: string): ColumnPattern {
  const lower = pattern.toLowerCase();
  if (!lower.includes('*')) {
    const exact = (value: string) => value.length === lower.length && value.toLowerCase() === lower;
    return { pattern, matchesColumn: exact, matchesPath: exact };
  }
  const keys: KeyPattern[] = [];
  for (const key of lower.split('.')) {
    // Consecutive `*` keys mean the same as one.
    if (key === '*') {
      if (keys[keys.length - 1] !== anyKeys) keys.push(anyKeys);
    } else keys.push(key);
  }
  return {
    pattern,
    matchesColumn: (name) => globMatches(lower, name.toLowerCase()),
    matchesPath: (path) => pathMatches(keys, path.toLowerCase().split('.')),
  };
}

/**
 * Glob match where `*` is any run of characters: the classic two-pointer algorithm that backtracks only to the
 * last `*`, O(pattern × text).
 */
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Runs the pattern's keys as a small NFA over the path's keys: O(pattern keys × path keys) glob matches. */
function pathMatches(pattern: readonly KeyPattern[], path: readonly string[]): boolean {
  // states[i]: the first i pattern keys can match the path keys consumed so far.
  let states = new Uint8Array(pattern.length + 1);
  states[0] = 1;
  closeOverAnyKeys(pattern, states);
  for (const key of path) {
    const next = new Uint8Array(pattern.length + 1);
    let alive = false;
    for (let i = 0; i < pattern.length; i++) {
      if (!states[i]) continue;
      const expected = pattern[i]!;
      if (expected === anyKeys) {
        next[i] = 1; // `*` takes this key and may take more
        next[i + 1] = 1;
        alive = true;
      } else if (globMatches(expected, key)) {
        next[i + 1] = 1;
        alive = true;
      }
    }
    if (!alive) return false;
    closeOverAnyKeys(pattern, next);
    states = next;
  }
  return states[pattern.length] === 1;
}

/** A `*` key may match no keys at all: reaching it means reaching past it too. */
function closeOverAnyKeys(pattern: readonly KeyPattern[], states: Uint8Array): void {
  for (let i = 0; i < pattern.length; i++) if (states[i] && pattern[i] === anyKeys) states[i + 1] = 1;
}
