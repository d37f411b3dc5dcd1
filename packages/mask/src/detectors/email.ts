import type { Span } from '../types.js';
import { isAsciiLetter, isDigit } from './characters.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';

/**
 * EMAIL: `local@domain` the way people write addresses (RFC 5321 without its quoted and bracketed corners). Found
 * from each `@` by scanning outwards a bounded distance, so any input costs time linear in its length.
 *
 * - local part: letters, digits and `. _ % + -` (at most 64), no leading, trailing or doubled dot — when the text
 *   has one (`..john@x.io`), the address is the part after it;
 * - domain: two or more labels of letters, digits and inner hyphens (at most 63 each, 253 in all), a top-level
 *   label of 2–24 letters; a sentence's full stop after it is not part of it.
 */
export function emailDetector(): IndexedDetector {
  return indexedDetector('EMAIL', ['pii', 'contact'], ({ text }, spans) => {
    let at = text.indexOf('@');
    while (at !== -1) {
      const end = findEmailAt(text, at, spans);
      at = text.indexOf('@', Math.max(end, at + 1));
    }
  });
}

const maxLocal = 64;
const maxDomain = 253;
const maxLabel = 63;

/** Records the address around the `@` at `at`, if any; returns where the next `@` search may start. */
function findEmailAt(text: string, at: number, spans: Span[]): number {
  // Local part: back from the `@` over local characters, stopping at a doubled dot.
  let start = at;
  while (start > 0 && at - start < maxLocal) {
    const code = text.charCodeAt(start - 1);
    if (!isLocalChar(code)) break;
    if (code === 46 && text.charCodeAt(start) === 46) break;
    start--;
  }
  // `x..john@`: the loop stopped between the dots, leaving `.john`; a lone leading dot goes too.
  while (start < at && text.charCodeAt(start) === 46) start++;
  if (start === at || text.charCodeAt(at - 1) === 46) return at + 1;
  // A 65th local character means the run is longer than any local part: not an address.
  if (at - start === maxLocal && isLocalChar(text.charCodeAt(start - 1))) return at + 1;
  if (isUrlUserinfo(text, start)) return at + 1;

  // Domain: labels separated by single dots; the last is the top-level label.
  let position = at + 1;
  let labels = 0;
  let end = -1;
  while (position - at - 1 < maxDomain) {
    const labelStart = position;
    let lettersOnly = true;
    while (position < text.length && position - labelStart <= maxLabel) {
      const kind = kindOf(text.charCodeAt(position));
      if ((kind & labelChar) === 0) break;
      if ((kind & letter) === 0) lettersOnly = false;
      position++;
    }
    const labelEnd = position;
    if (labelEnd === labelStart || labelEnd - labelStart > maxLabel) break;
    if (text.charCodeAt(labelStart) === 45 || text.charCodeAt(labelEnd - 1) === 45) break;
    labels++;
    // A top-level label: 2–24 letters.
    if (labels >= 2 && lettersOnly && labelEnd - labelStart >= 2 && labelEnd - labelStart <= 24) end = labelEnd;
    if (text.charCodeAt(position) !== 46 || !isLabelChar(text.charCodeAt(position + 1))) break;
    position++;
  }
  if (end === -1) return position;
  // The address must end where the text's word does: `x@y.com3` or `x@y.com-z` is something else.
  const after = text.charCodeAt(end);
  if (isLabelChar(after) || after === 64) return position;
  spans.push({ type: 'EMAIL', start, end, score: 0.95 });
  return end;
}

/**
 * `https://x-access-token:ghp_…@github.com/…`, `ftp://user@host`: the part before the `@` is a URL's user or
 * password, not a mailbox (`mailto:ann@x.io` is one).
 */
function isUrlUserinfo(text: string, start: number): boolean {
  const before = text.charCodeAt(start - 1);
  if (before !== 58 && before !== 47) return false;
  const from = Math.max(0, start - 256);
  for (let i = start - 1; i >= from + 2; i--) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 10 || code === 9 || code === 13 || code === 34 || code === 39 || code === 60)
      return false;
    if (code === 47 && text.charCodeAt(i - 1) === 47 && text.charCodeAt(i - 2) === 58) return true;
  }
  return false;
}

/** Bit flags of what an ASCII character can be in an address, read from a table: cheaper than chains of tests. */
const localChar = 1;
const labelChar = 2;
const letter = 4;

const kinds = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const isLetter = isAsciiLetter(code);
  const isLabel = isLetter || isDigit(code) || code === 45;
  kinds[code] =
    (isLabel || code === 46 || code === 95 || code === 37 || code === 43 ? localChar : 0) |
    (isLabel ? labelChar : 0) |
    (isLetter ? letter : 0);
}

/** The {@link kinds} flags of a character code; 0 past ASCII and for `NaN` (outside the text). */
function kindOf(code: number): number {
  return code < 128 ? kinds[code]! : 0;
}

function isLocalChar(code: number): boolean {
  return (kindOf(code) & localChar) !== 0;
}

function isLabelChar(code: number): boolean {
  return (kindOf(code) & labelChar) !== 0;
}
