import { describe, expect, it } from 'vitest';
import type { Detector, Span } from '../types.js';
import { type CueValues, findCueValues } from './cues.js';
import { dateOfBirthDetector } from './dob.js';
import { driverLicenseDetector } from './driver-license.js';
import { passportDetector } from './passport.js';
import { ssnDetector } from './ssn.js';
import { TextIndex } from './text-index.js';

const dob = dateOfBirthDetector(() => Date.UTC(2024, 5, 15));
const license = driverLicenseDetector();
const passport = passportDetector();
const ssn = ssnDetector();

const values = (kind: keyof CueValues, text: string) => findCueValues(new TextIndex(text))[kind];

function found(detector: Detector, text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

const cued: Array<[Detector, string, string]> = [
  [ssn, 'ssn 123456789', '123456789'],
  [ssn, 'Soc. Sec. 123-45-6789', '123-45-6789'],
  [passport, 'Passport no. A12345678', 'A12345678'],
  [license, 'D.L. W426-545-30-761-0', 'W426-545-30-761-0'],
  [license, "driver's lic# 472107336", '472107336'],
  [dob, 'DOB: 1990-01-31', '1990-01-31'],
  [dob, 'd.o.b 31.01.1990', '31.01.1990'],
  [dob, 'Geburtsdatum 31. Januar 1990', '31. Januar 1990'],
  [dob, 'NÉE le 31/01/1990', '31/01/1990'],
  [dob, 'date de naissance: Jan 31, 1990', 'Jan 31, 1990'],
];

describe('the core pass over cue values (assembly/cues.ts)', () => {
  // Sixteen code units at a time, with the two units either side of each: every cue letter must be seen wherever it
  // falls in a block, at the text's start and in the units near its end that are checked one by one.
  it.each(cued)('finds %#: %s wherever it lies in the text', (detector, text, value) => {
    for (let before = 0; before <= 36; before++) {
      for (let after = 0; after <= 12; after++) {
        expect(found(detector, `${' '.repeat(before)}${text}${'. '.repeat(after)}`)).toEqual([value]);
      }
    }
  });

  it('keeps only what stands in the cue window: forty characters back, after the last digit', () => {
    expect(found(ssn, `ssn${' '.repeat(37)}123456789`)).toEqual(['123456789']);
    expect(found(ssn, `ssn${' '.repeat(38)}123456789`)).toEqual([]);
    expect(found(ssn, 'ssn 1 123456789')).toEqual([]);
    expect(found(ssn, 'ssn\u00000\u0000123456789')).toEqual([]);
    expect(found(dob, `dob${' '.repeat(37)}1990-01-31`)).toEqual(['1990-01-31']);
    expect(found(dob, `dob${' '.repeat(38)}1990-01-31`)).toEqual([]);
  });

  it('widens the window for values that start before their digits', () => {
    // The month name starts the date: the cue is 40 characters before it, 50 before the day.
    expect(found(dob, `born${' '.repeat(36)}September 30, 1990`)).toEqual(['September 30, 1990']);
    expect(found(dob, `born${' '.repeat(37)}September 30, 1990`)).toEqual([]);
    // A letter starts the number: the cue is 40 characters before it, 41 before its digits.
    expect(found(passport, `passport${' '.repeat(32)}A12345678`)).toEqual(['A12345678']);
    expect(found(passport, `passport${' '.repeat(33)}A12345678`)).toEqual([]);
    expect(found(license, `DL${' '.repeat(38)}AB123456`)).toEqual(['AB123456']);
    expect(found(license, `DL${' '.repeat(39)}AB123456`)).toEqual([]);
  });

  // The walk tells four runs at a time which may start a value, and the last few one by one: a value must be found
  // wherever its run falls among the four and whether or not it is one of the last.
  it.each(cued)('finds %#: %s among other numbers, read four at a time or one by one', (detector, text, value) => {
    for (let before = 0; before <= 8; before++) {
      for (let after = 0; after <= 8; after++) {
        expect(found(detector, `${'1, '.repeat(before)}${text}${', 1'.repeat(after)}`)).toEqual([value]);
      }
    }
  });

  it('needs no cue for a formatted SSN, even one character after the number before', () => {
    expect(found(ssn, '7:123-45-6789')).toEqual(['123-45-6789']);
    expect(found(ssn, '7:123456789')).toEqual([]);
    expect(values('ssn', '7:123-45-6789 ssn 123-45-6789')).toEqual([2, 9]);
  });

  it('gives a split number once, not its later groups as numbers of their own', () => {
    expect(values('license', 'dl 12-3456789')).toEqual([3, 13]);
    expect(values('license', 'dl 12 345 678 9')).toEqual([3, 15]);
  });

  it('walks a text once for all four detectors, whichever asks first', () => {
    const text = 'SSN 123-45-6789, passport A12345678, DL# 472107336, DOB 1990-01-31';
    const index = new TextIndex(text);
    expect(findCueValues(index)).toBe(findCueValues(index));
    const together: Span[] = [];
    for (const detector of [dob, license, passport, ssn]) detector.detectIn(index, together);
    const alone = [dob, license, passport, ssn].flatMap((detector) => found(detector, text));
    expect(together.map((span) => text.slice(span.start, span.end))).toEqual(alone);
    expect(alone).toEqual(['1990-01-31', '472107336', 'A12345678', '123-45-6789']);
  });

  it('reads whole code units: non-ASCII ones whose low byte is a cue letter are not one', () => {
    // U+0173 ų, U+0170 Ű, U+016C Ŭ, U+0162 Ţ, U+016E Ů: their low bytes are s, p, l, b, n.
    const padding = ' '.repeat(20);
    expect(values('ssn', `${padding}\u0173\u0173n 123456789`)).toEqual([]);
    expect(values('ssn', `${padding}ssn 123456789`)).toEqual([0]);
    expect(values('passport', `${padding}\u0170as 123456789`)).toEqual([]);
    expect(values('passport', `${padding}pas 123456789`)).toEqual([24, 33]);
    expect(values('license', `${padding}d\u016C 1234567`)).toEqual([]);
    expect(values('license', `${padding}dl 1234567`)).toEqual([23, 30]);
    expect(values('birthDate', `${padding}\u0162orn \u016Eee 1990-01-31`)).toEqual([]);
    expect(values('birthDate', `${padding}born 1990-01-31`)).toEqual([0]);
    // Only before the value: `nee` after its first digits is no cue.
    expect(values('birthDate', `${padding}1 nee 1990 x`)).toEqual([]);
    expect(values('birthDate', `${padding}nee 1 Jan 1990 x`)).toEqual([0]);
    // Near the text's ends, where units are read one by one.
    expect(values('ssn', '\u0173\u0173n 123456789')).toEqual([]);
    expect(values('ssn', 'ssn 123456789')).toEqual([0]);
    expect(found(ssn, 'ssn \u0130123-45-6789\u0130')).toEqual(['123-45-6789']);
    expect(found(passport, 'passport \u0130123456789')).toEqual(['123456789']);
    // Lone surrogates and U+0130 (İ, low byte 0x30, a digit) neither start a cue nor end a window.
    expect(found(ssn, '\uD800SSN\uDC00 \u0130 123456789\uD800')).toEqual(['123456789']);
  });

  it('takes é for né and née, as the cue does in any case', () => {
    expect(found(dob, 'Marie, NÉ 1990-01-31')).toEqual(['1990-01-31']);
    expect(found(dob, 'née 31 Jan 1990')).toEqual(['31 Jan 1990']);
  });
});
