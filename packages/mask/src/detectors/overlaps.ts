import type { Span } from '../types.js';

/**
 * The findings to keep when some overlap: the longer span wins, then the higher score, then the earlier start, then
 * the type name (alphabetically first). Returns non-overlapping spans sorted by start. Deterministic for any input
 * order; O(n log n) for the usual handful of overlaps.
 */
export function resolveOverlaps(spans: readonly Span[]): Span[] {
  if (spans.length <= 1) return [...spans];
  const ordered = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  // Spans that overlap nothing pass straight through; each cluster of overlapping ones is settled on its own.
  let cluster: Span[] = [];
  let clusterEnd = -1;
  for (const span of ordered) {
    if (span.start >= clusterEnd && cluster.length > 0) {
      settle(cluster, kept);
      cluster = [];
    }
    cluster.push(span);
    clusterEnd = cluster.length === 1 ? span.end : Math.max(clusterEnd, span.end);
  }
  settle(cluster, kept);
  return kept;
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

function settle(cluster: Span[], kept: Span[]): void {
  if (cluster.length === 1) {
    kept.push(cluster[0]!);
    return;
  }
  const winners: Span[] = [];
  for (const span of [...cluster].sort(comparePriority)) {
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
  kept.push(...winners);
}
