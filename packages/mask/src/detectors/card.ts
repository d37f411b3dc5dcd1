import { isDigit, isWordChar } from './characters.js';
import { type DigitRuns, type IndexedDetector, indexedDetector } from './text-index.js';
import { luhn } from './validators.js';

/**
 * CREDIT_CARD: 13–19 digits, run together or in groups of 3–8 split by single spaces or single dashes (one kind per
 * number), that pass Luhn and start with a known issuer's prefix at one of its lengths ({@link cardIssuer}). Not
 * glued to letters or to more digits: a group more on either side (`9400 2228 4249 1419 3275 12`, a parcel's
 * tracking number) makes it something else. Score 0.95.
 */
export function cardDetector(): IndexedDetector {
  return indexedDetector('CREDIT_CARD', ['pii', 'financial'], ({ text, digitRuns: runs }, spans) => {
    for (let k = 0; k < runs.length; k += 2) {
      const start = runs[k]!;
      const end = runs[k + 1]!;
      const length = end - start;
      if (length >= 13 && length <= 19) {
        if (isolated(text, start, end, true) && isCard(text.slice(start, end))) {
          spans.push({ type: 'CREDIT_CARD', start, end, score: 0.95 });
        }
        continue;
      }
      // A first group needs a second of 3–8 digits after one character: the runs say so without reading the text,
      // which costs more (this rules out dates and times, `2024-06-01`).
      if (length < 3 || length > 8 || runs[k + 2] !== end + 1) continue;
      const nextLength = runs[k + 3]! - end - 1;
      if (nextLength < 3 || nextLength > 8) continue;
      const separator = text.charCodeAt(end);
      if (separator !== 32 && separator !== 45) continue;
      // A grouped number is whole or nothing: it must start here (`9400 2228 4249 1419 3275 12` is a parcel), unless
      // what comes before is too short to be one of its groups (`order 12 4111 1111 1111 1111`).
      const afterNumber = k > 0 && runs[k - 1] === start - 1 && text.charCodeAt(start - 1) === separator;
      if (afterNumber && start - 1 - runs[k - 2]! >= 3) continue;
      const last = longestCardFrom(text, runs, k, separator, afterNumber);
      if (last === -1) continue;
      spans.push({ type: 'CREDIT_CARD', start, end: runs[last + 1]!, score: 0.95 });
      k = last;
    }
  });
}

/** The run index (even) where the longest valid card that starts at run `k` ends, or -1. */
function longestCardFrom(
  text: string,
  runs: DigitRuns,
  k: number,
  separator: number,
  afterShortNumber: boolean,
): number {
  const start = runs[k]!;
  let length = runs[k + 1]! - start;
  let found = -1;
  for (let j = k + 2; j < runs.length; j += 2) {
    const groupStart = runs[j]!;
    const groupEnd = runs[j + 1]!;
    const previousEnd = runs[j - 1]!;
    if (groupStart !== previousEnd + 1 || groupEnd - groupStart < 3 || groupEnd - groupStart > 8) break;
    if (text.charCodeAt(previousEnd) !== separator) break;
    length += groupEnd - groupStart;
    if (length > 19) break;
    if (length < 13) continue;
    // A grouped number must end where its groups do.
    if (text.charCodeAt(groupEnd) === separator && isDigit(text.charCodeAt(groupEnd + 1))) continue;
    // After a short number (`order 12 …`) the separator before is not a join; the end is checked above.
    if (
      isolated(text, start, groupEnd, separator !== 32 || afterShortNumber) &&
      isCard(groupDigits(text, runs, k, j))
    ) {
      found = j;
    }
  }
  return found;
}

/** The digits of runs `k` to `last` (even indexes), joined: a grouped number without its separators. */
function groupDigits(text: string, runs: DigitRuns, k: number, last: number): string {
  let digits = '';
  for (let j = k; j <= last; j += 2) digits += text.slice(runs[j], runs[j + 1]);
  return digits;
}

/** Not glued to a word, nor by a dash or dot to more digits (`1234-4111111111111111` is an id, not a card). */
function isolated(text: string, start: number, end: number, spacesSeparate: boolean): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  if (isWordChar(before) || isWordChar(after)) return false;
  if (joins(before, spacesSeparate) && isDigit(text.charCodeAt(start - 2))) return false;
  return !(joins(after, spacesSeparate) && isDigit(text.charCodeAt(end + 1)));
}

function joins(code: number, spacesSeparate: boolean): boolean {
  return code === 45 || code === 46 || (!spacesSeparate && code === 32);
}

function isCard(digits: string): boolean {
  return cardIssuer(digits) !== undefined && luhn(digits);
}

/**
 * The card scheme whose prefix and length `digits` has: Visa 4 (13, 16, 19); Mastercard 51–55, 2221–2720 (16);
 * Amex 34, 37 (15); Discover 6011, 644–649, 65 (16–19); JCB 3528–3589 (16–19); Diners 36, 300–305, 3095, 38–39
 * (14–16); UnionPay 62 (16–19); Maestro 5018, 5020, 5038, 5893, 6304, 6759, 6761–6763 (13–19).
 */
export function cardIssuer(digits: string): string | undefined {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19 ? 'visa' : undefined;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16 ? 'mastercard' : undefined;
  if (p2 === 34 || p2 === 37) return n === 15 ? 'amex' : undefined;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return n >= 16 ? 'discover' : undefined;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 ? 'jcb' : undefined;
  if (p2 === 36 || (p3 >= 300 && p3 <= 305) || p4 === 3095 || p2 === 38 || p2 === 39) {
    return n >= 14 && n <= 16 ? 'diners' : undefined;
  }
  if (p2 === 62) return n >= 16 ? 'unionpay' : undefined;
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(p4)) return 'maestro';
  return undefined;
}
