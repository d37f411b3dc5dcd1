import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScanner, defaultScanner } from '../detectors/index.js';
import type { Scanner, Span } from '../types.js';
import { scanMany } from './scan-many.js';

/** The records' texts scanned in one call, each record starting where the texts of those before it end. */
function together(scanner: Scanner, records: readonly string[][]): Array<readonly Span[]> {
  const starts: number[] = [];
  let n = 0;
  for (const record of records) {
    starts.push(n);
    n += record.length;
  }
  return scanMany(scanner, records.flat(), starts);
}

/** Each record's texts scanned in a call of its own. */
function apart(scanner: Scanner, records: readonly string[][]): Array<readonly Span[]> {
  return records.flatMap((record) => scanMany(scanner, record));
}

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
    expect(together(scanner, records)).toEqual(apart(scanner, records));
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

  it('keeps records apart whatever ends one and starts the next (cue words, values, custom cues)', () => {
    const withCustom = createScanner({
      custom: [{ type: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}', cues: ['employee', 'staff id'] }],
    });
    // Endings that cue something, and beginnings that a cue would make a finding.
    const cues = [
      'passport',
      'passport no',
      'SSN',
      'social security number:',
      'DOB',
      'date of birth',
      'born on',
      'driver license',
      'DL',
      'DL#',
      'lic no',
      'phone',
      'tel.',
      'call me on',
      'mobile',
      'password',
      'password:',
      'secret=',
      'api key',
      'token',
      'Dear',
      'name:',
      'signed by',
      'version',
      'v',
      'build',
      'https://user:',
      'mailto:',
      'employee',
      'staff id',
      '"',
      "'",
      '(',
      '+',
      '-',
      '.',
      '1',
      '12',
    ];
    const values = [
      '123456789',
      '078-05-1120',
      '12/31/1990',
      '1990-12-31',
      '31 Jan 1990',
      'A1234567',
      'W426-545-30-761-0',
      '020 7946 0958',
      '4155550199',
      '(415) 555-0199',
      'x8Kp2QzL9vR4tY7wQ3',
      'Kp2Qz"',
      'John Smith',
      'Smith',
      '10.0.0.1',
      '2001:db8::1',
      'ada@example.com',
      '@example.com',
      '4111 1111 1111 1111',
      'EMP-123456',
      'GB82 WEST 1234 5698 7654 32',
      '0',
      '5 ',
      ' and more',
    ];
    const field = fc.oneof(
      fc.tuple(fc.constantFrom('', 'see ', 'ok. ', 'x'), fc.constantFrom(...cues)).map(([a, b]) => a + b),
      fc.tuple(fc.constantFrom(...values), fc.constantFrom('', ' ok', '.', ' then')).map(([a, b]) => a + b),
      fc
        .tuple(fc.constantFrom(...cues), fc.constantFrom(' ', ': ', ''), fc.constantFrom(...values))
        .map((p) => p.join('')),
    );
    const records = fc.array(fc.array(field, { minLength: 0, maxLength: 3 }), { minLength: 1, maxLength: 6 });
    for (const scanner of [defaultScanner(), withCustom]) {
      fc.assert(
        fc.property(records, (list) => {
          expect(together(scanner, list)).toEqual(apart(scanner, list));
        }),
        { numRuns: 3_000 },
      );
    }
  });
});
