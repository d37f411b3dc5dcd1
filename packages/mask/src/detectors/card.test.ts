import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { cardDetector, cardIssuer } from './card.js';

const detector = cardDetector();

function cards(text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

describe('CREDIT_CARD', () => {
  it.each([
    ['Visa 16', '4111111111111111'],
    ['Visa 13', '4222222222222'],
    ['Visa 19', '4111111111111111110'],
    ['Mastercard 51–55', '5555555555554444'],
    ['Mastercard 2-series', '2223003122003222'],
    ['Amex (15 digits)', '378282246310005'],
    ['Discover', '6011111111111117'],
    ['JCB', '3530111333300000'],
    ['Diners 14', '30569309025904'],
    ['UnionPay', '6200000000000005'],
    ['Maestro', '6759649826438453'],
  ])('finds %s', (_, number) => {
    expect(cards(`card ${number} declined`)).toEqual([number]);
  });

  it('finds numbers grouped by spaces or dashes, scored 0.95', () => {
    const text = 'Cards 4111 1111 1111 1111, 4111-1111-1111-1111 and Amex 3782 822463 10005.';
    expect(cards(text)).toEqual(['4111 1111 1111 1111', '4111-1111-1111-1111', '3782 822463 10005']);
    const spans: Span[] = [];
    detector.detect('4111111111111111', spans);
    expect(spans).toEqual([{ type: 'CREDIT_CARD', start: 0, end: 16, score: 0.95 }]);
  });

  it("reads the issuer prefix and Luhn across groups, up to the text's ends", () => {
    // Amex split 3–4–4–4: its prefix 3782 spans the first two groups; one digit off and Luhn fails.
    expect(cards('378 2822 4631 0005')).toEqual(['378 2822 4631 0005']);
    expect(cards('378 2822 4631 0006')).toEqual([]);
    expect(cards('4111-1111-1111-1111')).toEqual(['4111-1111-1111-1111']);
    expect(cards('x 4111 1111 1111 1111')).toEqual(['4111 1111 1111 1111']);
    expect(cards('1 4111 1111 1111 1111')).toEqual(['4111 1111 1111 1111']);
    expect(cards('1 4111 1111 1111 1111 2')).toEqual([]);
  });

  it('asks the issuer about the Luhn-valid numbers, and none that starts inside a card', () => {
    expect(cards('4111 1111 1111 1111 003')).toEqual(['4111 1111 1111 1111 003']);
    expect(cards('0000000000000000 0000 0000 0000 0000')).toEqual([]);
    expect(cards('4111-1111-1111-1111 1111 1111 1111 1111')).toEqual(['4111-1111-1111-1111']);
  });

  it('treats units past ASCII as no digit, letter or separator, whatever their low byte', () => {
    // U+0130 and U+0131 end in the bytes of `0` and `1`, U+012D in that of `-`.
    expect(cards('\u0130-4111111111111111-\u0131')).toEqual(['4111111111111111']);
    expect(cards('\u012d4111111111111111\u0130')).toEqual(['4111111111111111']);
    expect(cards('\ud8004111 1111 1111 1111\udc00')).toEqual(['4111 1111 1111 1111']);
    expect(cards('4111\u01301111 1111 1111')).toEqual([]);
  });

  it('names the issuer', () => {
    expect(cardIssuer('378282246310005')).toBe('amex');
    expect(cardIssuer('37828224631000')).toBeUndefined();
    expect(cardIssuer('9000000000000001')).toBeUndefined();
  });

  it.each([
    ['Luhn-invalid', '4111111111111112'],
    ['a 16-digit id failing Luhn', '1234567812345678'],
    ['Luhn-valid with no known issuer', '9000000000000001'],
    ['Luhn-valid with no known issuer, starting 1', '1234567812345670'],
    ['Amex prefix at 16 digits', '3782822463100050'],
    ['Visa at 15 digits', '411111111111116'],
    ['mixed separators', '4111 1111-1111 1111'],
    ['double spaces', '4111  1111  1111  1111'],
    ['glued to letters', 'x4111111111111111'],
    ['inside a longer run', '14111111111111111'],
    ['a dash-grouped number with one group more', '4111-1111-1111-1111-1111'],
    ['a parcel number (space-grouped, a group more on each side)', '9400 4111 1111 1111 1111 12'],
    ['digits split by single spaces', '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'],
  ])('refuses %s', (_, text) => {
    expect(cards(text)).toEqual([]);
  });
});
