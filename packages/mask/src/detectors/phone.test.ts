import { type CountryCode, getCountryCallingCode, Metadata, PhoneNumber } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { compiledValidity, defaultPhoneRegions, phoneDetector } from './phone.js';

const detector = phoneDetector();

function found(text: string): [string, number][] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => [text.slice(span.start, span.end), span.score]);
}

function phones(text: string): string[] {
  return found(text).map(([value]) => value);
}

describe('PHONE', () => {
  it.each([
    ['US, parentheses', '(202) 456-1111'],
    ['US, dashes', '202-456-1111'],
    ['US, dots', '202.456.1111'],
    ['US with its trunk 1', '1-800-275-2273'],
    ['Canada', '(613) 618-4012'],
    ['GB', '020 7946 0958'],
    ['GB mobile', '07700 900123'],
    ['DE', '030 12345678'],
    ['DE with a slash', '030/12345678'],
    ['FR', '06 12 34 56 78'],
    ['FR with dots', '01.23.45.67.89'],
    ['India, written without the trunk 0', '98765 43210'],
    ['Brazil', '(11) 98765-4321'],
    ['Australia', '(02) 9876 5432'],
    ['Australian mobile', '0412 345 678'],
  ])('finds a national number: %s', (_, number) => {
    expect(phones(`number is ${number} today`)).toEqual([number]);
  });

  it.each([
    ['+1 202-456-1111'],
    ['+44 20 7946 0958'],
    ['+44 (0) 20 7946 0958'],
    ['+33 6 12 34 56 78'],
    ['+49 30 901820'],
    ['+91 98765 43210'],
    ['+55 11 98765-4321'],
    ['+81 3-1234-5678'],
    ['+12024561111'],
    ['0044 20 7946 0958'],
  ])('finds the international number %s', (number) => {
    expect(phones(`reach me at ${number}.`)).toEqual([number]);
  });

  it('reads international numbers of any region, national ones only of its regions', () => {
    const ukOnly = phoneDetector(['GB']);
    const spans: Span[] = [];
    ukOnly.detect('(202) 456-1111 or 020 7946 0958 or +1 202-456-1111', spans);
    expect(spans.map((span) => span.start)).toEqual([18, 35]);
  });

  it('needs the trunk 0 where a region writes one', () => {
    const spans: Span[] = [];
    phoneDetector(['GB', 'DE', 'FR']).detect('20 7946 0958 or 30 12345678 or 6 12 34 56 78', spans);
    expect(spans).toEqual([]);
  });

  it('scores a cue higher and finds bare runs only after one', () => {
    expect(found('The office is 020 7946 0958.')).toEqual([['020 7946 0958', 0.85]]);
    expect(found('Tel. 020 7946 0958')).toEqual([['020 7946 0958', 0.9]]);
    expect(found('Mobile: 02079460958')).toEqual([['02079460958', 0.8]]);
    expect(found('The reference is 02079460958')).toEqual([]);
    expect(found('Call the mobile app team. Order PO 4570372294 shipped')).toEqual([]);
  });

  it('finds the number beside a date or a year in one run of groups', () => {
    expect(phones('on 2024-01-31 020 7946 0958')).toEqual(['020 7946 0958']);
    expect(phones('call 020 7946 0958 2024')).toEqual(['020 7946 0958']);
  });

  it.each([
    ['an ISO date', '2024-01-31'],
    ['a timestamp', '2024-01-31 12:30:45'],
    ['an ISO timestamp', '2024-01-31T12:30:45Z'],
    ['a European date', '31.01.1990'],
    ['a US date', '01/31/1990'],
    ['an IPv4 address', '192.168.100.200'],
    ['a version', '10.0.19045.2965'],
    ['a v-version', 'v12.345.6789'],
    ['an SSN', '123-45-6789'],
    ['a card', '4111 1111 1111 1111'],
    ['a dashed card', '4111-1111-1111-1111'],
    ['a Luhn-invalid 16-digit id', '4111 1111 1111 1112'],
    ['an order number', 'ORD-2024-000123'],
    ['an invoice number', 'INV-2024123'],
    ['a year range', '1990-2000'],
    ['a git SHA', '3f786850e387550fdab836ed7e6dc881de23001b'],
    ['a UUID', '123e4567-e89b-12d3-a456-426614174000'],
    ['an all-digit UUID', '12345678-1234-1234-1234-123456789012'],
    ['a unix timestamp', '1700000000'],
    ['an amount', '$1 234 567'],
    ['a thousands group', '1,234,567 890'],
    ['a percentage', '20 7946 0958%'],
    ['a parcel number', '9400 1234 5678 9012 3456 78'],
    ['the tail of an IBAN that failed its checksum', 'NL97 RABO 6155 6289 49'],
    ['too few digits', '456-1111'],
    ['too many digits', '+44 20 7946 0958 1234 5678'],
  ])('refuses %s', (_, text) => {
    expect(phones(text)).toEqual([]);
  });
});

describe('compiled validity', () => {
  it.each(defaultPhoneRegions)(
    'agrees with libphonenumber’s isValid on 4,000 numbers of every possible length in %s',
    (region) => {
      const metadata = new Metadata();
      metadata.selectNumberingPlan(region);
      const valid = compiledValidity(metadata);
      const lengths = metadata.numberingPlan!.possibleLengths();
      const callingCode = getCountryCallingCode(region as CountryCode);
      let seed = 20_240_611;
      const next = () => {
        seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
        return seed / 0x7fffffff;
      };
      let validCount = 0;
      for (let i = 0; i < 4_000; i++) {
        const length = lengths[Math.floor(next() * lengths.length)]!;
        let national = String(1 + Math.floor(next() * 9));
        while (national.length < length) national += Math.floor(next() * 10);
        const number = new PhoneNumber(`+${callingCode}${national}` as never);
        number.country = region;
        const expected = number.isValid();
        if (expected) validCount++;
        expect(valid(national), `${region} ${national}`).toBe(expected);
      }
      // Both kinds were compared, not just a pile of invalid numbers.
      expect(validCount).toBeGreaterThan(100);
    },
  );
});
