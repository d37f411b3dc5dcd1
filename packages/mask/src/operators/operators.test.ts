import { describe, expect, it } from 'vitest';
import { MaskError } from '../errors.js';
import type { Scanner, Span } from '../types.js';
import {
  applyOperator,
  createMaskContext,
  generalise,
  maskSpans,
  maskText,
  operatorConfigSchema,
  partial,
  tokenize,
} from './index.js';

const key = 'test-key-0123456789abcdef';

/** A stand-in scanner: finds emails only. */
const emailScanner: Scanner = {
  detectors: [],
  scan(text) {
    const spans: Span[] = [];
    for (const m of text.matchAll(/[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g)) {
      spans.push({ type: 'EMAIL', start: m.index, end: m.index + m[0].length, score: 1 });
    }
    return spans;
  },
};

describe('redact', () => {
  it('blanks a whole value and removes a finding from text', () => {
    const context = createMaskContext();
    expect(applyOperator('secret', { operator: 'redact' }, context)).toBe('');
    expect(maskText('mail ada@example.com now', emailScanner, { operator: 'redact' }, context)).toBe('mail  now');
  });
});

describe('replace', () => {
  it('shows the type of the finding, or of the rule', () => {
    const context = createMaskContext();
    expect(maskText('to ada@example.com', emailScanner, { operator: 'replace' }, context)).toBe('to <EMAIL>');
    expect(applyOperator('Ada Lovelace', { operator: 'replace', type: 'PERSON' }, context)).toBe('<PERSON>');
    expect(applyOperator('x', { operator: 'replace' }, context)).toBe('<REDACTED>');
  });

  it('numbers equal values alike and distinct values in order within one document', () => {
    const context = createMaskContext();
    const numbered = { operator: 'replace', numbered: true } as const;
    const first = maskText('a@x.io wrote to b@y.io', emailScanner, numbered, context);
    const second = maskText('cc b@y.io and a@x.io and c@z.io', emailScanner, numbered, context);
    expect(first).toBe('<EMAIL_1> wrote to <EMAIL_2>');
    expect(second).toBe('cc <EMAIL_2> and <EMAIL_1> and <EMAIL_3>');
  });

  it('numbers each type separately', () => {
    const context = createMaskContext();
    expect(applyOperator('Ada', { operator: 'replace', type: 'PERSON', numbered: true }, context)).toBe('<PERSON_1>');
    expect(maskText('a@x.io', emailScanner, { operator: 'replace', numbered: true }, context)).toBe('<EMAIL_1>');
  });

  it('starts numbering again after reset (the next record)', () => {
    const context = createMaskContext();
    const numbered = { operator: 'replace', numbered: true } as const;
    expect(maskText('a@x.io b@y.io', emailScanner, numbered, context)).toBe('<EMAIL_1> <EMAIL_2>');
    context.reset();
    expect(maskText('b@y.io', emailScanner, numbered, context)).toBe('<EMAIL_1>');
  });
});

describe('partial', () => {
  it.each([
    ['123-45-6789', 4, '***-**-6789'],
    ['4111 1111 1111 1111', 4, '**** **** **** 1111'],
    ['ada@example.com', 4, '***@******e.com'],
    ['+1 (555) 123-4567', 4, '+* (***) ***-4567'],
    ['123-45-6789', 5, '***-*5-6789'],
    ['123456789', 0, '*********'],
    ['abcdef', 2, '****ef'],
  ])('partial(%j, %i) is %j', (value, keep, expected) => {
    expect(partial(value, keep)).toBe(expected);
  });

  it('keeps the last 4 by default', () => {
    expect(applyOperator('123456789', { operator: 'partial' }, createMaskContext())).toBe('*****6789');
  });

  it('masks everything when the value is no longer than what it would keep', () => {
    expect(partial('1234', 4)).toBe('****');
    expect(partial('12', 4)).toBe('**');
    expect(partial('1-2', 8)).toBe('*-*');
    expect(partial('', 4)).toBe('');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(partial('日本語テキスト', 2)).toBe('*****スト');
  });
});

describe('tokenize', () => {
  it('is deterministic: tok_ and 24 hex characters of HMAC-SHA256', () => {
    const a = tokenize('ada@example.com', createMaskContext({ key }));
    const b = tokenize('ada@example.com', createMaskContext({ key }));
    expect(a).toMatch(/^tok_[0-9a-f]{24}$/);
    expect(a).toBe(b);
  });

  it('is stable across runs (a fixed vector)', () => {
    // HMAC-SHA256("test-key-0123456789abcdef", "ada@example.com"), computed independently with openssl.
    expect(tokenize('ada@example.com', createMaskContext({ key }))).toBe('tok_1fb7a55520872fc27768142e');
  });

  it('depends on the key and on the value', () => {
    const a = tokenize('ada@example.com', createMaskContext({ key }));
    expect(tokenize('ada@example.com', createMaskContext({ key: `${key}x` }))).not.toBe(a);
    expect(tokenize('ada@example.org', createMaskContext({ key }))).not.toBe(a);
  });

  it('does not mix in the type: a column value and the same value in free text tokenise alike', () => {
    const context = createMaskContext({ key });
    const column = applyOperator('ada@example.com', { operator: 'tokenize' }, context);
    const inText = maskText('write to ada@example.com', emailScanner, { operator: 'tokenize' }, context);
    expect(inText).toBe(`write to ${column}`);
  });

  it('refuses to run without a key', () => {
    for (const context of [createMaskContext(), createMaskContext({ key: '' })]) {
      expect(() => applyOperator('x', { operator: 'tokenize' }, context)).toThrow(MaskError);
      try {
        tokenize('x', context);
      } catch (error) {
        expect((error as MaskError).code).toBe('mask_key_missing');
      }
    }
  });
});

describe('drop and keep', () => {
  it('drop gives undefined for a value (the caller removes it) and removes a finding', () => {
    const context = createMaskContext();
    expect(applyOperator('x', { operator: 'drop' }, context)).toBeUndefined();
    expect(maskText('a a@x.io b', emailScanner, { operator: 'drop' }, context)).toBe('a  b');
  });

  it('keep passes the value through', () => {
    expect(applyOperator('Ada', { operator: 'keep' }, createMaskContext())).toBe('Ada');
  });
});

describe('generalise', () => {
  it.each([
    ['1990-04-12', '1990'],
    ['1990-04-12T10:20:30Z', '1990'],
    ['1990/04/12', '1990'],
    ['04/12/1990', '1990'],
    ['12/31/1990', '1990'],
    ['31/12/1990', '1990'],
    ['12.04.1990', '1990'],
    ['12-04-1990', '1990'],
    ['April 12, 1990', '1990'],
    ['Apr 12 1990', '1990'],
    ['12 April 1990', '1990'],
    ['12th Apr. 1990', '1990'],
    ['September 1990', '1990'],
  ])('turns the date %j into its year', (value, year) => {
    expect(generalise(value)).toBe(year);
  });

  it.each([
    ['37', 10, '30-39'],
    ['30', 10, '30-39'],
    ['39', 10, '30-39'],
    ['40', 10, '40-49'],
    ['0', 10, '0-9'],
    ['39.99', 10, '30-39'],
    ['1234.5', 1000, '1000-1999'],
    ['1,234,567', 1_000_000, '1000000-1999999'],
    ['-1', 10, '-10--1'],
    ['-10', 10, '-10--1'],
    ['-11', 10, '-20--11'],
    ['+7', 5, '5-9'],
  ])('puts %j in its bucket of width %i: %j', (value, bucket, expected) => {
    expect(generalise(value, bucket)).toBe(expected);
  });

  it('uses buckets of 10 by default', () => {
    expect(applyOperator('37', { operator: 'generalise' }, createMaskContext())).toBe('30-39');
  });

  it.each([
    'Ada Lovelace',
    '',
    '13/13/1990',
    '1990-13-01',
    'Smarch 12, 1990',
    '12 April 3, 1990',
    '1e5',
    'NaN',
    '12abc',
  ])('redacts %j rather than passing it through', (value) => {
    expect(generalise(value)).toBe('<REDACTED>');
  });
});

describe('maskSpans', () => {
  it('reports where each replacement lands in the output', () => {
    const text = 'a@x.io and b@y.io';
    const masked = maskSpans(text, emailScanner.scan(text), { operator: 'replace' }, createMaskContext());
    expect(masked.text).toBe('<EMAIL> and <EMAIL>');
    expect(masked.spans.map((s) => masked.text.slice(s.start, s.end))).toEqual(['<EMAIL>', '<EMAIL>']);
  });
});

describe('operatorConfigSchema', () => {
  it('accepts each operator and refuses unknown keys and values', () => {
    expect(operatorConfigSchema.parse({ operator: 'partial', keep: 2 })).toEqual({ operator: 'partial', keep: 2 });
    expect(operatorConfigSchema.safeParse({ operator: 'partial', keep: -1 }).success).toBe(false);
    expect(operatorConfigSchema.safeParse({ operator: 'keep', extra: 1 }).success).toBe(false);
    expect(operatorConfigSchema.safeParse({ operator: 'shred' }).success).toBe(false);
    expect(operatorConfigSchema.safeParse({ operator: 'replace', type: 'lower' }).success).toBe(false);
    expect(operatorConfigSchema.safeParse({ operator: 'generalise', bucket: 0 }).success).toBe(false);
  });
});
