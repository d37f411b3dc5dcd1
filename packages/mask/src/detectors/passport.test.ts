import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { passportDetector } from './passport.js';

const detector = passportDetector();

function passports(text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

describe('US_PASSPORT', () => {
  it('finds nine digits or a letter and eight after a cue, scored 0.8', () => {
    expect(passports('Passport number 123456789 expires')).toEqual(['123456789']);
    expect(passports('US passport no. A12345678')).toEqual(['A12345678']);
    expect(passports('Passport #: Z87654321')).toEqual(['Z87654321']);
    const spans: Span[] = [];
    detector.detect('passport 123456789', spans);
    expect(spans).toEqual([{ type: 'US_PASSPORT', start: 9, end: 18, score: 0.8 }]);
  });

  it('takes the cue in any case and language', () => {
    expect(passports('PASSPORT NO. 123456789')).toEqual(['123456789']);
    expect(passports('Reisepass: A12345678')).toEqual(['A12345678']);
    expect(passports('pasaporte 123456789')).toEqual(['123456789']);
    expect(passports('password 123456789')).toEqual([]);
  });

  it.each([
    ['no cue', 'Order 123456789'],
    ['the cue too far back', `passport ${'x'.repeat(40)} 123456789`],
    ['another number between', 'passport renewed 2020, ref 123456789'],
    ['eight digits alone', 'passport 12345678'],
    ['ten digits', 'passport 1234567890'],
    ['two letters', 'passport AB12345678'],
    ['a letter and nine digits', 'passport A123456789'],
    ['glued to a word', 'passport x_123456789'],
    ['part of a dashed run', 'passport 123456789-1'],
  ])('refuses %s', (_, text) => {
    expect(passports(text)).toEqual([]);
  });
});
