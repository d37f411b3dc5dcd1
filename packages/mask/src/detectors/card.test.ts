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
