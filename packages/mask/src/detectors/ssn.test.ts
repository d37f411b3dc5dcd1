import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { ssnDetector } from './ssn.js';

const detector = ssnDetector();

function found(text: string): [string, number][] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => [text.slice(span.start, span.end), span.score]);
}

describe('US_SSN', () => {
  it('finds dashed and spaced numbers, higher after a cue', () => {
    expect(found('Applicant 123-45-6789 signed.')).toEqual([['123-45-6789', 0.85]]);
    expect(found('SSN: 123 45 6789')).toEqual([['123 45 6789', 0.95]]);
    expect(found('social security number 123-45-6789')).toEqual([['123-45-6789', 0.95]]);
  });

  it('finds a bare nine-digit run only after a cue', () => {
    expect(found('ssn 123456789')).toEqual([['123456789', 0.8]]);
    expect(found('Order 123456789 shipped')).toEqual([]);
    expect(found('SSN was recorded; invoice total is 12345, batch 123456789')).toEqual([]);
  });

  it('takes the cue in any case', () => {
    expect(found('SOCIAL SECURITY 123456789')).toEqual([['123456789', 0.8]]);
    expect(found('SS# 123456789')).toEqual([['123456789', 0.8]]);
    expect(found('Soc. Sec. 123-45-6789')).toEqual([['123-45-6789', 0.95]]);
    expect(found('class 123456789')).toEqual([]);
  });

  it.each([
    '000-12-3456',
    '666-12-3456',
    '900-12-3456',
    '999-12-3456',
    '123-00-4567',
    '123-45-0000',
    '078-05-1120',
    '219-09-9999',
  ])('refuses the unissuable %s, even after a cue', (ssn) => {
    expect(found(`SSN ${ssn}`)).toEqual([]);
  });

  it.each([
    ['a longer run before', '1123-45-6789'],
    ['a longer run after', '123-45-67890'],
    ['more dashed numbers', '555-123-45-6789'],
    ['more spaced numbers', '1 123 45 6789'],
    ['mixed separators', '123-45 6789'],
    ['a letter before', 'A123-45-6789'],
    ['a decimal point', '123-45-6789.5'],
    ['a bare run of ten', 'SSN 1234567890'],
  ])('refuses %s', (_, text) => {
    expect(found(text)).toEqual([]);
  });
});
