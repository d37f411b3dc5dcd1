import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { driverLicenseDetector } from './driver-license.js';

const detector = driverLicenseDetector();

function licenses(text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

describe('US_DRIVER_LICENSE', () => {
  it.each([
    ["Driver's license: CA A1234567", 'A1234567'],
    ['driver license no. 123456789', '123456789'],
    ['Driving licence 12345678', '12345678'],
    ['DL# D1234567890123', 'D1234567890123'],
    ['DL: W426-545-30-761-0', 'W426-545-30-761-0'],
    ['license no A123-4567-8901', 'A123-4567-8901'],
    ['drivers license 123 456 789', '123 456 789'],
    ["Driver's license (WA): WDLFB6BI2LZC", 'WDLFB6BI2LZC'],
    ['lic# AB123456', 'AB123456'],
  ])('finds the number in %j, scored 0.75', (text, license) => {
    const spans: Span[] = [];
    detector.detect(text, spans);
    expect(spans).toEqual([
      {
        type: 'US_DRIVER_LICENSE',
        start: text.indexOf(license),
        end: text.indexOf(license) + license.length,
        score: 0.75,
      },
    ]);
  });

  it.each([
    ['LICENSE NO. A1234567', 'A1234567'],
    ['Lic. # 123456789', '123456789'],
    ['d.l. 12345678', '12345678'],
    ['ref 123-4dl 1234567', '1234567'],
  ])('takes the cue in any case and right after a number: %j', (text, license) => {
    expect(licenses(text)).toEqual([license]);
  });

  it('finds each number near its own cue, and none 40 characters past one', () => {
    expect(licenses(`DL 1234567, then ${'x'.repeat(60)} and dl 7654321`)).toEqual(['1234567', '7654321']);
    expect(licenses(`DL ${'x'.repeat(40)} A1234567`)).toEqual([]);
    expect(licenses(`DL ${'x'.repeat(40)} WDLFB6BI2LZC`)).toEqual([]);
    expect(licenses('the handle 12345678, public 12345678')).toEqual([]);
  });

  it('gives the cue to the number right after it, not to the next one', () => {
    expect(licenses('DL# 472107336 Last sync at 1682857439')).toEqual(['472107336']);
  });

  it.each([
    ['no cue', 'Employee A1234567'],
    ['six digits alone', 'DL 123456'],
    ['thirteen digits alone', 'DL 1234567890123'],
    ['three letters', 'DL ABC1234567'],
    ['a letter and five digits', 'DL A12345'],
    ['a WDL number with a lower-case letter', 'DL WDLfB6BI2LZC'],
    ['glued to a word', 'DL x_A1234567'],
    ['a longer dashed run', 'DL 123-456-789-012-345-678'],
  ])('refuses %s', (_, text) => {
    expect(licenses(text)).toEqual([]);
  });
});
