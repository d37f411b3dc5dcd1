import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { ibanDetector } from './iban.js';
import { TextIndex } from './text-index.js';

const detector = ibanDetector();

function ibans(text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

describe('IBAN', () => {
  // First in the file: the table of lengths is made at the first scan, where this text lay.
  it('makes its table of lengths over memory a text was placed in, leaving no trace of it', () => {
    // Its bytes read as the length 22.
    expect(new TextIndex('\u1616'.repeat(1_000)).placed.length).toBe(1_000);
    // MOD 97-10 gives 1 and the length is 22, but there is no country XX.
    expect(ibans('XX90000000000000000000')).toEqual([]);
  });

  it.each([
    'GB29NWBK60161331926819',
    'GB29 NWBK 6016 1331 9268 19',
    'DE89370400440532013000',
    'DE89 3704 0044 0532 0130 00',
    'FR14 2004 1010 0505 0001 3M02 606',
    'NL91ABNA0417164300',
    'ES91 2100 0418 4502 0005 1332',
    'NO93 8601 1117 947',
  ])('finds %s, scored 0.95', (iban) => {
    const text = `Refund to IBAN ${iban}.`;
    const spans: Span[] = [];
    detector.detect(text, spans);
    expect(spans).toEqual([{ type: 'IBAN', start: 15, end: 15 + iban.length, score: 0.95 }]);
  });

  it("reads up to the text's ends and no further", () => {
    expect(ibans('DE89370400440532013000')).toEqual(['DE89370400440532013000']);
    expect(ibans('GB29 NWBK 6016 1331 9268 19')).toEqual(['GB29 NWBK 6016 1331 9268 19']);
    expect(ibans('GB29 NWBK 6016 1331 9268 1')).toEqual([]);
    expect(ibans('GB29 NWBK 6016 1331 9268 18')).toEqual([]);
  });

  it('treats units past ASCII as no letter, digit or space, whatever their low byte', () => {
    // U+0144 and U+0145 end in the bytes of `D` and `E`, U+0130 in that of `0`.
    expect(ibans('\u0130DE89370400440532013000\u0130')).toEqual(['DE89370400440532013000']);
    expect(ibans('\u0144E89370400440532013000')).toEqual([]);
    expect(ibans('D\u014589370400440532013000')).toEqual([]);
    expect(ibans('DE89 3704 0044 0532 0130 0\u0130')).toEqual([]);
    expect(ibans('\ud800GB29 NWBK 6016 1331 9268 19\udc00')).toEqual(['GB29 NWBK 6016 1331 9268 19']);
  });

  it('accepts a wholly lower-case IBAN, not a mixed-case one', () => {
    expect(ibans('iban gb29 nwbk 6016 1331 9268 19')).toEqual(['gb29 nwbk 6016 1331 9268 19']);
    expect(ibans('iban gb29NWBK60161331926819')).toEqual([]);
    expect(ibans('iban GB29nwbk60161331926819')).toEqual([]);
  });

  it.each([
    ['a bad checksum', 'GB29NWBK60161331926818'],
    ['one character short for its country', 'GB29NWBK6016133192681'],
    ['one character long for its country', 'DE893704004405320130001'],
    ['a length right for another country', 'NL89370400440532013000'],
    ['a country without IBANs', 'US64SVBKUS6S3300958879'],
    ['groups of five', 'GB29N WBK60 16133 19268 19'],
    ['a missing space between groups', 'GB29 NWBK 60161331 9268 19'],
    ['two spaces between groups', 'GB29  NWBK  6016  1331  9268  19'],
    ['glued to a word before', 'XGB29NWBK60161331926819'],
    ['glued to a word after', 'GB29NWBK60161331926819X'],
  ])('refuses %s', (_, text) => {
    expect(ibans(text)).toEqual([]);
  });
});
