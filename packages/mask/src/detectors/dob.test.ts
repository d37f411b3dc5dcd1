import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { dateOfBirthDetector } from './dob.js';

// A frozen clock: the latest plausible birth year is 2024.
const detector = dateOfBirthDetector(() => Date.UTC(2024, 5, 15));

function dates(text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

describe('DATE_OF_BIRTH', () => {
  it.each([
    ['DOB: 1990-01-31', '1990-01-31'],
    ['dob 1990/01/31', '1990/01/31'],
    ['Date of birth: 01/31/1990', '01/31/1990'],
    ['D.O.B. 31.01.1990', '31.01.1990'],
    ['born 31/01/1990', '31/01/1990'],
    ['birthday 31 Jan 1990', '31 Jan 1990'],
    ['Birth date: 31st January, 1990', '31st January, 1990'],
    ['born on January 31, 1990', 'January 31, 1990'],
    ['born Sept. 3rd 1990', 'Sept. 3rd 1990'],
    ['geboren am 31. Januar 1990', '31. Januar 1990'],
    ['née le 3 février 1990', '3 février 1990'],
    ['"dob": "1990-01-31T00:00:00Z"', '1990-01-31'],
  ])('finds the date in %j', (text, date) => {
    expect(dates(text)).toEqual([date]);
  });

  it('scores 0.85 and spans the date alone', () => {
    const spans: Span[] = [];
    detector.detect('DOB: 1990-01-31', spans);
    expect(spans).toEqual([{ type: 'DATE_OF_BIRTH', start: 5, end: 15, score: 0.85 }]);
  });

  it.each([
    ['DOB 1990-01-31', '1990-01-31'],
    ['D.O.B. 1990-01-31', '1990-01-31'],
    ['BORN 1990-01-31', '1990-01-31'],
    ['BIRTHDATE 1990-01-31', '1990-01-31'],
    ['GEBOREN 31.01.1990', '31.01.1990'],
    ['NÉE 1990-01-31', '1990-01-31'],
    ['Date de naissance 31/01/1990', '31/01/1990'],
    ['DATE DE NAISSANCE: 31.01.1990', '31.01.1990'],
    ['Mary Smith, nee 1990-01-31', '1990-01-31'],
  ])('takes the cue in any case: %j', (text, date) => {
    expect(dates(text)).toEqual([date]);
  });

  it('takes a cue that starts right after a number, not one inside a word', () => {
    expect(dates('ref 12born 1990-01-31')).toEqual(['1990-01-31']);
    expect(dates('reborn 1990-01-31')).toEqual([]);
    expect(dates('the job 1990-01-31')).toEqual([]);
    expect(dates('reborn 1990-01-31, born 1991-02-03')).toEqual(['1991-02-03']);
  });

  it('takes a cue 40 characters back, not 41', () => {
    expect(dates(`dob${' '.repeat(37)}1990-01-31`)).toEqual(['1990-01-31']);
    expect(dates(`dob${' '.repeat(38)}1990-01-31`)).toEqual([]);
  });

  it('needs the cue in the 40 characters before, with no other number between', () => {
    expect(dates('Created 1990-01-31')).toEqual([]);
    expect(dates('Date of birth is on file; the account was opened on 2001-02-03')).toEqual([]);
    expect(dates('DOB 1990-01-31, updated 2001-02-03')).toEqual(['1990-01-31']);
  });

  it.each([
    ['a day that does not exist', 'dob 2023-02-30'],
    ['29 February outside a leap year', 'dob 1999-02-29'],
    ['a 13th month', 'dob 1990-13-01'],
    ['a year before 1900', 'dob 1899-12-31'],
    ['a year after this one', 'dob 2025-01-01'],
    ['a two-digit year', 'dob 01/31/90'],
    ['a month name that is not one', 'born 31 Foo 1990'],
    ['a date inside a longer run', 'dob 1990-01-31-5'],
    ['a date glued to a word', 'dob x1990-01-31'],
  ])('refuses %s', (_, text) => {
    expect(dates(text)).toEqual([]);
  });

  it('moves the latest plausible year on when the clock passes 1 January', () => {
    let now = Date.UTC(2024, 11, 31, 23, 59);
    const moving = dateOfBirthDetector(() => now);
    const found = () => {
      const spans: Span[] = [];
      moving.detect('born 2025-01-01', spans);
      return spans.length;
    };
    expect(found()).toBe(0);
    now = Date.UTC(2025, 0, 1);
    expect(found()).toBe(1);
  });

  it('accepts 29 February in a leap year and the current year', () => {
    expect(dates('dob 2000-02-29')).toEqual(['2000-02-29']);
    expect(dates('born 2024-01-02')).toEqual(['2024-01-02']);
  });
});
