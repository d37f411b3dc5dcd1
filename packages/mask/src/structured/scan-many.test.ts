import { describe, expect, it } from 'vitest';
import { defaultScanner } from '../detectors/index.js';
import type { Scanner, Span } from '../types.js';
import { scanMany } from './scan-many.js';

describe('scanMany', () => {
  const scanner = defaultScanner();

  it('finds in each text what scanning it alone finds', () => {
    const texts = ['mail ada@example.com', '', 'nothing', 'card 4111 1111 1111 1111 ok', 'bob@example.org', 'x'];
    const together = scanMany(scanner, texts);
    expect(together).toEqual(texts.map((text) => scanner.scan(text)));
    expect(together[0]).toEqual([{ type: 'EMAIL', start: 5, end: 20, score: expect.any(Number) }]);
  });

  it('scans texts again alone when a finding reaches across them', () => {
    // A stand-in detector that matches across the separator: from one "a" to the last, separators included.
    const greedy: Scanner = {
      detectors: [],
      scan(text) {
        const spans: Span[] = [];
        for (const m of text.matchAll(/a[^bx]*a|a/g))
          spans.push({ type: 'A', start: m.index, end: m.index + m[0].length, score: 1 });
        return spans;
      },
    };
    expect(scanMany(greedy, ['xa', 'a', 'ax', 'b'])).toEqual([
      [{ type: 'A', start: 1, end: 2, score: 1 }],
      [{ type: 'A', start: 0, end: 1, score: 1 }],
      [{ type: 'A', start: 0, end: 1, score: 1 }],
      [],
    ]);
  });
});
