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

  it('keeps records apart: a cue at the end of one record does not count for the next', () => {
    // "passport" cues the nine digits only when they are in the same record.
    const texts = ['passport', '123456789', 'passport', '123456789'];
    const found = scanMany(scanner, texts, [2]);
    expect(found[1]!.map((span) => span.type)).toEqual(['US_PASSPORT']);
    expect(found[3]!.map((span) => span.type)).toEqual(['US_PASSPORT']);
    const apart = scanMany(scanner, ['id', 'passport', '123456789', 'x'], [2]);
    expect(apart[2]).toEqual([]);
    expect(scanMany(scanner, ['id', 'passport', '123456789', 'x'])[2]!.map((span) => span.type)).toEqual([
      'US_PASSPORT',
    ]);
  });

  it('finds in records scanned together what each record scanned alone finds', () => {
    const records = [
      ['mail ada@example.com', 'call +44 20 7946 0958'],
      ['', 'SSN 078-05-1120', 'ok'],
      ['4111 1111 1111 1111'],
      ['nothing here', 'Dear John Smith,'],
    ];
    const texts = records.flat();
    const starts: number[] = [];
    let n = 0;
    for (const record of records) {
      starts.push(n);
      n += record.length;
    }
    expect(scanMany(scanner, texts, starts)).toEqual(records.flatMap((record) => scanMany(scanner, record)));
  });

  it('keeps records apart after a record with no texts', () => {
    const found = scanMany(scanner, ['x', 'y', 'ask our passport', '123456789'], [0, 2, 2, 3]);
    expect(found[3]).toEqual([]);
  });

  it('reads an unclosed quoted password the same at the end of a record as before the next one', () => {
    const record = 'reset failed, password: "Robert Patel asked for access';
    const together = scanMany(scanner, [record, 'next'], [0, 1]);
    expect(together[0]).toEqual(scanner.scan(record));
  });
});
