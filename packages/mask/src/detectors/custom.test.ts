import { describe, expect, it } from 'vitest';
import { isMaskError } from '../errors.js';
import type { Span } from '../types.js';
import { createCustomDetector, customDetectorSchema } from './custom.js';
import { unsafePatternReason } from './pattern-safety.js';

function found(config: unknown, text: string): [string, number][] {
  const spans: Span[] = [];
  createCustomDetector(config).detect(text, spans);
  return spans.map((span) => [text.slice(span.start, span.end), span.score]);
}

function refusal(config: unknown): unknown {
  try {
    createCustomDetector(config);
  } catch (error) {
    return error;
  }
  throw new Error('expected the detector to be refused');
}

describe('custom detectors', () => {
  it('find their pattern with the default score and labels', () => {
    const detector = createCustomDetector({ type: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}' });
    expect(detector.type).toBe('EMPLOYEE_ID');
    expect(detector.labels).toEqual(['pii']);
    expect(found({ type: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}' }, 'EMP-000123 and EMP-004211')).toEqual([
      ['EMP-000123', 0.8],
      ['EMP-004211', 0.8],
    ]);
  });

  it('honour the i flag, labels and score', () => {
    const config = { type: 'TICKET', pattern: 'tk-[a-f0-9]{4}', flags: 'i', labels: ['secrets'], score: 0.6 } as const;
    expect(createCustomDetector(config).labels).toEqual(['secrets']);
    expect(found(config, 'TK-BEEF, tk-0a1b')).toEqual([
      ['TK-BEEF', 0.6],
      ['tk-0a1b', 0.6],
    ]);
  });

  it('need a cue word within 40 characters before when given cues', () => {
    const config = { type: 'MEMBER_NO', pattern: '\\b\\d{8}\\b', cues: ['member', 'Mitglied'] };
    expect(found(config, 'Member no. 12345678 and MITGLIED 11223344').map(([value]) => value)).toEqual([
      '12345678',
      '11223344',
    ]);
    expect(found(config, 'membership 12345678')).toEqual([]);
    expect(found(config, `member ${'x'.repeat(40)} 12345678`)).toEqual([]);
  });

  it('check Luhn over the digits or MOD 97 over the letters and digits', () => {
    const luhn = { type: 'LOYALTY_CARD', pattern: '\\d{4} \\d{4} \\d{4} \\d{4}', validator: 'luhn' };
    expect(found(luhn, '4111 1111 1111 1111 and 4111 1111 1111 1112').map(([value]) => value)).toEqual([
      '4111 1111 1111 1111',
    ]);
    const mod97 = { type: 'ACCOUNT_REF', pattern: '[A-Z]{2}\\d{2}[A-Z0-9]{10,30}', validator: 'mod97' };
    expect(found(mod97, 'GB29NWBK60161331926819 GB29NWBK60161331926818').map(([value]) => value)).toEqual([
      'GB29NWBK60161331926819',
    ]);
  });

  it('is a zod schema the policy embeds', () => {
    expect(customDetectorSchema.safeParse({ type: 'EMPLOYEE_ID', pattern: 'x' }).success).toBe(true);
    expect(customDetectorSchema.safeParse({ type: 'employee', pattern: 'x' }).success).toBe(false);
  });

  it.each([
    ['a lower-case type', { type: 'employee_id', pattern: 'EMP-\\d{6}' }],
    ['a built-in type', { type: 'EMAIL', pattern: '\\w{1,20}@x\\.io' }],
    ['an unknown key', { type: 'X', pattern: 'a', colour: 'red' }],
    ['a flag other than i', { type: 'X', pattern: 'a', flags: 'm' }],
    ['the g flag', { type: 'X', pattern: 'a', flags: 'gi' }],
    ['a score under 0.5', { type: 'X', pattern: 'a', score: 0.2 }],
    ['an unknown label', { type: 'X', pattern: 'a', labels: ['medical'] }],
    ['an unknown validator', { type: 'X', pattern: 'a', validator: 'crc' }],
    ['an empty pattern', { type: 'X', pattern: '' }],
    ['a pattern that does not compile', { type: 'X', pattern: '(ab' }],
    ['not an object', 'EMP-\\d{6}'],
  ])('are refused with mask_detector_invalid for %s', (_, config) => {
    const error = refusal(config);
    expect(isMaskError(error, 'mask_detector_invalid')).toBe(true);
  });

  it.each([
    ['(a+)+', 'quantified group'],
    ['(a|a)*', 'alternation'],
    ['(\\d+)*x', 'nested quantifier'],
    ['(a)\\1', 'backreference'],
    ['(?<n>a)\\k<n>', 'named backreference'],
    ['(?=x)x', 'lookahead'],
    ['(?!x)y', 'negative lookahead'],
    ['(?<=x)y', 'lookbehind'],
    ['\\d+x', 'unbounded repetition (quadratic from every start)'],
    ['a*', 'unbounded star'],
    ['a{2,}', 'open-ended bound'],
    ['a{1,1000}', 'a bound over 256'],
    ['\\d{1,9}\\d{1,9}', 'adjacent overlapping repetitions'],
    ['\\w{1,64}\\.?\\w{1,64}', 'overlapping repetitions with only an optional atom between'],
    ['[a-z]{1,9}(?:x|[a-z]{1,9})', 'a variable group after an overlapping repetition'],
    ['x?', 'a pattern matching the empty string'],
    ['\\bx{0,3}\\b', 'a pattern matching the empty string between anchors'],
    ['\\p{L}{1,5}', 'a property escape'],
    ['a{', 'a stray brace'],
  ])('refuses the unsafe pattern %s (%s) with mask_detector_invalid, naming the detector', (pattern) => {
    const error = refusal({ type: 'EMPLOYEE_ID', pattern });
    expect(isMaskError(error, 'mask_detector_invalid')).toBe(true);
    expect((error as Error).message).toContain('EMPLOYEE_ID');
  });
});

describe('unsafePatternReason', () => {
  it.each([
    'EMP-\\d{6}',
    '[A-Z]{2}\\d{2}[A-Z0-9]{10,30}',
    '\\b[A-Z]{3}-\\d{4}-[a-f0-9]{8}\\b',
    '(?:\\+1 )?\\(\\d{3}\\) \\d{3}-\\d{4}',
    '(?:ab|cd)\\d{1,4}',
    '(?:\\d{3}-){2}\\d{4}',
    '[^\\s@]{1,64}@[a-z]{2,10}\\.com',
    '(?<year>\\d{4})-(?<month>\\d{2})',
    '\\x41\\u0042[\\x30-\\x39]{1,3}',
    '\\d{1,9}x\\d{1,9}',
    '^ID:\\s?\\d{6}$',
    '(?:ab){1,5}?c',
    'caf\u00e9-\\d{3}',
  ])('allows %s', (pattern) => {
    expect(unsafePatternReason(pattern, false)).toBeUndefined();
  });

  it('treats letters as overlapping their other case under the i flag', () => {
    expect(unsafePatternReason('[a-z]{1,9}[A-Z]{1,9}', false)).toBeUndefined();
    expect(unsafePatternReason('[a-z]{1,9}[A-Z]{1,9}', true)).toMatch(/same characters/);
  });

  it('says why', () => {
    expect(unsafePatternReason('(a+)+', false)).toMatch(/repeated group/);
    expect(unsafePatternReason('(a)\\1', false)).toMatch(/backreference/);
    expect(unsafePatternReason('(?=a)', false)).toMatch(/lookaround/);
    expect(unsafePatternReason('\\d+', false)).toMatch(/unbounded/);
  });
});
