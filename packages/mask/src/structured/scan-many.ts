import type { Scanner, Span } from '../types.js';

/**
 * Between texts scanned together. The NUL stops the character classes detectors extend through (digits, spaces,
 * punctuation), the newlines end any line-based match.
 */
const separator = '\n\u0000\n';
const none: readonly Span[] = Object.freeze([]);

/**
 * Scans many short texts (a record's fields) with one call: a scan has a fixed cost that dwarfs a short field's,
 * so the texts are joined, scanned once, and the findings handed back to the text each lies in. A finding that
 * reaches across a separator is not trusted: the texts it touches are scanned again on their own. Cue words in
 * one field can count for the next ("phone" then a number), which only ever adds findings.
 *
 * @returns for each text, its findings (offsets into that text), sorted and non-overlapping.
 */
export function scanMany(scanner: Scanner, texts: readonly string[]): Array<readonly Span[]> {
  const result: Array<readonly Span[]> = new Array(texts.length).fill(none);
  if (texts.length === 0) return result;
  if (texts.length === 1) {
    result[0] = scanner.scan(texts[0]!);
    return result;
  }
  const spans = scanner.scan(texts.join(separator));
  if (spans.length === 0) return result;

  let again: Set<number> | undefined;
  let i = 0;
  let start = 0;
  const last = texts.length - 1;
  for (const span of spans) {
    while (i < last && span.start >= start + texts[i]!.length + separator.length) {
      start += texts[i]!.length + separator.length;
      i++;
    }
    const end = start + texts[i]!.length;
    if (span.start >= start && span.end <= end) {
      let own = result[i] as Span[];
      if (own === none) {
        own = [];
        result[i] = own;
      }
      own.push({ type: span.type, start: span.start - start, end: span.end - start, score: span.score });
      continue;
    }
    again ??= new Set();
    let j = i;
    let from = start;
    again.add(j);
    while (j < last && span.end > from + texts[j]!.length) {
      from += texts[j]!.length + separator.length;
      j++;
      again.add(j);
    }
  }
  if (again) for (const k of again) result[k] = scanner.scan(texts[k]!);
  return result;
}
