import { recordBoundary } from '../detectors/cues.js';
import type { Scanner, Span } from '../types.js';

/**
 * Between texts of one record scanned together. The NUL stops the character classes detectors extend through
 * (digits, spaces, punctuation), the newlines end any line-based match.
 */
export const separator = '\n\u0000\n';
/**
 * Between records: a cue word at the end of one record never counts for the next (see {@link recordBoundary}).
 * Short, because every detector reads it: a separator as long as a cue window made a tenth of the text scanned.
 */
export const recordSeparator = `\n${recordBoundary}\n`;
const none: readonly Span[] = Object.freeze([]);

/**
 * Scans many short texts (a record's fields) with one call: a scan has a fixed cost that dwarfs a short field's,
 * so the texts are joined, scanned once, and the findings handed back to the text each lies in. A finding that
 * reaches across a separator is not trusted: the texts it touches are scanned again on their own. Cue words in
 * one field can count for the next ("phone" then a number), which only ever adds findings.
 *
 * `recordStarts` (ascending indices into `texts`) marks where a new record begins, when several records are
 * scanned in one call: a cue in one record never counts for the next.
 *
 * @returns for each text, its findings (offsets into that text), sorted and non-overlapping.
 */
export function scanMany(
  scanner: Scanner,
  texts: readonly string[],
  recordStarts: readonly number[] = [],
): Array<readonly Span[]> {
  const result: Array<readonly Span[]> = new Array(texts.length).fill(none);
  if (texts.length === 0) return result;
  if (texts.length === 1) {
    result[0] = scanner.scan(texts[0]!);
    return result;
  }
  // Where each text starts in the joined string.
  const starts = new Array<number>(texts.length);
  const parts = new Array<string>(texts.length * 2 - 1);
  let at = 0;
  let nextRecord = 0;
  while (recordStarts[nextRecord] !== undefined && recordStarts[nextRecord]! <= 0) nextRecord++;
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) {
      let between = separator;
      // A record with no texts shares its start with the next one: every start up to here is passed.
      while (recordStarts[nextRecord] !== undefined && recordStarts[nextRecord]! <= i) {
        between = recordSeparator;
        nextRecord++;
      }
      parts[i * 2 - 1] = between;
      at += between.length;
    }
    starts[i] = at;
    parts[i * 2] = texts[i]!;
    at += texts[i]!.length;
  }
  const spans = scanner.scan(parts.join(''));
  if (spans.length === 0) return result;

  let again: Set<number> | undefined;
  let i = 0;
  const last = texts.length - 1;
  for (const span of spans) {
    while (i < last && span.start >= starts[i + 1]!) i++;
    const start = starts[i]!;
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
    // It starts in a separator or reaches past this text: every text it touches is scanned alone.
    again ??= new Set();
    let j = i;
    again.add(j);
    while (j < last && span.end > starts[j]! + texts[j]!.length) {
      j++;
      again.add(j);
    }
  }
  if (again) for (const k of again) result[k] = scanner.scan(texts[k]!);
  return result;
}
