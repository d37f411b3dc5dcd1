import type { Span } from '../types.js';

/**
 * The findings to keep when some overlap: the longer span wins, then the higher score, then the earlier start, then
 * the type name (alphabetically first). Returns non-overlapping spans sorted by start. Deterministic for any input
 * order; O(n log n) for the usual handful of overlaps.
 */
export function resolveOverlaps(spans: readonly Span[]): Span[] {
  if (spans.length <= 1) return [...spans];
  const ordered = sortByStart(spans);
  // Spans that overlap nothing pass straight through; each cluster of overlapping ones, a range of `ordered`, is
  // settled on its own. The kept spans are written back over `ordered`, never past the cluster being read.
  let kept = 0;
  let clusterStart = 0;
  let clusterEnd = ordered[0]!.end;
  for (let i = 1; i < ordered.length; i++) {
    const span = ordered[i]!;
    if (span.start >= clusterEnd) {
      kept = settle(ordered, clusterStart, i, kept);
      clusterStart = i;
      clusterEnd = span.end;
    } else if (span.end > clusterEnd) {
      clusterEnd = span.end;
    }
  }
  ordered.length = settle(ordered, clusterStart, ordered.length, kept);
  return ordered;
}

/** Priority: negative when `a` wins over `b`. */
export function comparePriority(a: Span, b: Span): number {
  return (
    b.end - b.start - (a.end - a.start) ||
    b.score - a.score ||
    a.start - b.start ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)
  );
}

/** Whether `a` sorts before `b`: the earlier start, then the later end (the longer of two spans starting together). */
function startsBefore(a: Span, b: Span): boolean {
  return a.start < b.start || (a.start === b.start && a.end > b.end);
}

/**
 * A stable sort by {@link startsBefore}: a merge of the runs already in order. Each detector adds its findings in
 * order, so the spans come as one run per detector, and merging those with an inlined comparison is far cheaper
 * than `Array.prototype.sort` calling a comparator for each pair.
 */
function sortByStart(spans: readonly Span[]): Span[] {
  let runEnds: number[] = [];
  for (let i = 1; i < spans.length; i++) if (startsBefore(spans[i]!, spans[i - 1]!)) runEnds.push(i);
  runEnds.push(spans.length);
  let source = spans.slice();
  if (runEnds.length === 1) return source;
  let target = spans.slice();
  while (runEnds.length > 1) {
    const merged: number[] = [];
    let low = 0;
    for (let run = 0; run < runEnds.length; run += 2) {
      const middle = runEnds[run]!;
      const high = runEnds[run + 1] ?? middle;
      merge(source, low, middle, high, target);
      merged.push(high);
      low = high;
    }
    const into = target;
    target = source;
    source = into;
    runEnds = merged;
  }
  return source;
}

/** Merges the ordered ranges `source[low, middle)` and `source[middle, high)` into `target[low, high)`, stably. */
function merge(source: Span[], low: number, middle: number, high: number, target: Span[]): void {
  let left = low;
  let right = middle;
  let out = low;
  if (left < middle && right < high) {
    // The two heads stay in locals: each step reads only the span that replaces the one just taken.
    let fromLeft = source[left]!;
    let fromRight = source[right]!;
    for (;;) {
      if (startsBefore(fromRight, fromLeft)) {
        target[out++] = fromRight;
        if (++right === high) break;
        fromRight = source[right]!;
      } else {
        target[out++] = fromLeft;
        if (++left === middle) break;
        fromLeft = source[left]!;
      }
    }
  }
  while (left < middle) target[out++] = source[left++]!;
  while (right < high) target[out++] = source[right++]!;
}

/**
 * Settles the cluster `spans[from, to)`, writing the spans it keeps, sorted by start, from `spans[kept]` on (never
 * past `to`); returns where the next kept span goes.
 */
function settle(spans: Span[], from: number, to: number, kept: number): number {
  if (to - from === 1) {
    spans[kept] = spans[from]!;
    return kept + 1;
  }
  const winners: Span[] = [];
  for (const span of spans.slice(from, to).sort(comparePriority)) {
    // `winners` stays sorted by start and non-overlapping: only the neighbours around `span.start` can clash.
    let low = 0;
    let high = winners.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (winners[middle]!.start < span.start) low = middle + 1;
      else high = middle;
    }
    const before = winners[low - 1];
    const after = winners[low];
    if (before !== undefined && before.end > span.start) continue;
    if (after !== undefined && after.start < span.end) continue;
    winners.splice(low, 0, span);
  }
  for (const winner of winners) spans[kept++] = winner;
  return kept;
}
