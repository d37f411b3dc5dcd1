import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { comparePriority, resolveOverlaps } from './overlaps.js';

const span = (type: string, start: number, end: number, score = 0.9): Span => ({ type, start, end, score });

describe('resolveOverlaps', () => {
  it('keeps spans that do not overlap, sorted by start', () => {
    const spans = [span('B', 10, 12), span('A', 0, 5), span('C', 5, 10)];
    expect(resolveOverlaps(spans)).toEqual([span('A', 0, 5), span('C', 5, 10), span('B', 10, 12)]);
  });

  it('lets the longer span win', () => {
    expect(resolveOverlaps([span('IP_ADDRESS', 8, 19, 0.99), span('IP_ADDRESS', 0, 19, 0.5)])).toEqual([
      span('IP_ADDRESS', 0, 19, 0.5),
    ]);
  });

  it('then the higher score', () => {
    expect(resolveOverlaps([span('PHONE', 0, 16, 0.85), span('CREDIT_CARD', 0, 16, 0.95)])).toEqual([
      span('CREDIT_CARD', 0, 16, 0.95),
    ]);
  });

  it('then the earlier start', () => {
    expect(resolveOverlaps([span('B', 2, 6), span('A', 0, 4)])).toEqual([span('A', 0, 4)]);
  });

  it('then the type name', () => {
    expect(resolveOverlaps([span('US_SSN', 0, 11), span('PHONE', 0, 11)])).toEqual([span('PHONE', 0, 11)]);
  });

  it('keeps a loser’s neighbours: A beats B, so C (overlapping only B) stays', () => {
    const spans = [span('B', 4, 10), span('A', 0, 7, 0.1), span('C', 8, 14)];
    expect(resolveOverlaps(spans).map((s) => s.type)).toEqual(['A', 'C']);
  });

  it('does not depend on the input order', () => {
    const spans = [span('A', 0, 10), span('B', 5, 15), span('C', 12, 20), span('D', 0, 10, 0.95), span('E', 18, 30)];
    const expected = resolveOverlaps(spans);
    for (let i = 0; i < 20; i++) {
      const shuffled = [...spans].sort(() => Math.random() - 0.5);
      expect(resolveOverlaps(shuffled)).toEqual(expected);
    }
    expect(expected.map((s) => s.type)).toEqual(['D', 'E']);
  });

  it('drops an identical duplicate', () => {
    expect(resolveOverlaps([span('A', 0, 3), span('A', 0, 3)])).toEqual([span('A', 0, 3)]);
  });

  it('merges the runs each detector adds, whatever their number and order', () => {
    // A reference: the greedy choice by priority over all spans, then sorted by start.
    const reference = (spans: readonly Span[]): Span[] => {
      const kept: Span[] = [];
      for (const candidate of [...spans].sort(comparePriority)) {
        if (kept.every((other) => other.end <= candidate.start || other.start >= candidate.end)) kept.push(candidate);
      }
      return kept.sort((a, b) => a.start - b.start);
    };
    let seed = 7;
    const next = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % below;
    };
    for (let round = 0; round < 50; round++) {
      const spans: Span[] = [];
      for (let detector = 0; detector < 1 + next(17); detector++) {
        let start = next(5);
        for (let i = next(30); i > 0; i--) {
          spans.push(span(`T${detector}`, start, start + 1 + next(6), [0.5, 0.9][next(2)]));
          start += next(8);
        }
      }
      const input = [...spans];
      expect(resolveOverlaps(spans)).toEqual(reference(spans));
      expect(spans).toEqual(input);
    }
  });

  it('settles a long chain of overlaps in one pass', () => {
    const spans = Array.from({ length: 20_000 }, (_, i) => span(i % 2 ? 'A' : 'B', i * 2, i * 2 + 3));
    const kept = resolveOverlaps(spans);
    for (let i = 1; i < kept.length; i++) expect(kept[i]!.start).toBeGreaterThanOrEqual(kept[i - 1]!.end);
    expect(kept.length).toBe(10_000);
  });
});
