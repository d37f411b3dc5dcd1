/**
 * Every detector, and the scanner with all of them, on inputs built to make a backtracking regex or a rescanning
 * loop blow up: 200 KB of what each detector starts from, repeated with nothing to end it. Linear code takes
 * milliseconds; quadratic code takes minutes. The per-test timeout (3 s) is the assertion.
 */
import { describe, expect, it } from 'vitest';
import type { Detector, Span } from '../types.js';
import { builtinDetectors, createScanner } from './index.js';

const size = 200_000;

function fill(unit: string): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

const inputs: [string, string][] = [
  ['@ repeated', fill('@')],
  ['a@ repeated', fill('a@')],
  ['a@b. repeated', fill('a@b.')],
  ['a long local part then @, repeated', fill(`${'a'.repeat(70)}@`)],
  ['a long domain', `a@${fill('ab.')}`],
  ['1 repeated', fill('1')],
  ['0 repeated', fill('0')],
  ['1- repeated', fill('1-')],
  ['1. repeated', fill('1.')],
  ['1.1.1.1. repeated', fill('1.1.1.1.')],
  ['1/ repeated', fill('1/')],
  ['digits with spaces', fill('1 ')],
  ['groups of four with spaces', fill('4111 ')],
  ['phone-ish groups', fill('(020) 7946-0958 ')],
  ['+ and digits', fill('+1 ')],
  [': repeated', fill(':')],
  ['a: repeated', fill('a:')],
  ['f: repeated', fill('f:')],
  [':: and hex', fill('::ff')],
  ['1: repeated', fill('1:')],
  ['A repeated', fill('A')],
  ['AB12 repeated', fill('AB12 ')],
  ['GB29 and groups of four', `GB29 ${fill('NWBK ')}`],
  ['-----BEGIN repeated', fill('-----BEGIN ')],
  ['a long token of letters and digits', fill('a1B2')],
  ['a long hex token', fill('deadbeef0123')],
  ['cue words and numbers', fill('dob ssn passport DL phone 123456789 ')],
  ['cue words and dates', fill('born 1 Jan 1990 31.01. ')],
  ['month names', fill('January ')],
  ['WDL repeated', fill('WDL')],
  ['v and dotted numbers', fill('v1.2.')],
  ['accented letters', fill('é')],
  ['accented capitals', fill('Éü')],
  ['accented names', fill('Jürgen François ')],
  ['names and particles', fill('Ana van der de la ')],
  ['given names', fill('Mary Ann ')],
  ['accented words after double hyphens', fill("Paris--Évry Ab-'é Garcia-'López Dear Ana--Élise ")],
  ['emails then accented names', `${fill('a@b.io ').slice(0, 100_000)}${fill('Jürgen x. ').slice(0, 100_000)}`],
];

const detectors: Detector[] = [
  ...builtinDetectors(),
  ...createScanner({
    types: [],
    custom: [
      { type: 'EMPLOYEE_ID', pattern: '\\bEMP-\\d{6}\\b' },
      { type: 'CASE_REF', pattern: '[A-Z]{2,4}-\\d{1,8}(?:-[A-Z]{1,3})?', cues: ['case'] },
      { type: 'WIDE', pattern: '[a-z0-9]{1,64}@[a-z]{1,8}\\.com', flags: 'i' },
    ],
  }).detectors,
];

function checkSpans(spans: Span[], text: string): void {
  for (const span of spans) {
    expect(span.start).toBeGreaterThanOrEqual(0);
    expect(span.end).toBeGreaterThan(span.start);
    expect(span.end).toBeLessThanOrEqual(text.length);
  }
}

describe.each(detectors.map((detector) => [detector.type, detector] as const))(
  '%s on adversarial input',
  (_, detector) => {
    it.each(inputs)('%s finishes quickly', { timeout: 3_000 }, (_, text) => {
      const spans: Span[] = [];
      detector.detect(text, spans);
      checkSpans(spans, text);
    });
  },
);

describe('the scanner with every detector on adversarial input', () => {
  const scanner = createScanner({
    custom: [{ type: 'EMPLOYEE_ID', pattern: '\\bEMP-\\d{6}\\b' }],
  });

  it.each(inputs)('%s finishes quickly, with sorted, non-overlapping spans', { timeout: 3_000 }, (_, text) => {
    const spans = scanner.scan(text);
    checkSpans(spans, text);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
  });

  it('all the inputs in one text', { timeout: 3_000 }, () => {
    const text = inputs.map(([, input]) => input.slice(0, 20_000)).join('\n');
    checkSpans(scanner.scan(text), text);
  });
});
