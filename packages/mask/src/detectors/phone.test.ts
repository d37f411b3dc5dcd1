import {
  type CountryCode,
  type E164Number,
  getCountries,
  getCountryCallingCode,
  Metadata,
  PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import {
  compiledValidity,
  defaultPhoneRegions,
  internationalVerdict,
  phoneDetector,
  type Verdict,
  writtenGroups,
} from './phone.js';

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

  it('reads a cue only as a whole word, in any case, after the last digit before the number', () => {
    expect(found('PHONE: 02079460958')).toEqual([['02079460958', 0.8]]);
    expect(found('WhatsApp - 02079460958')).toEqual([['02079460958', 0.8]]);
    expect(found('phone, 02079460958')).toEqual([['02079460958', 0.8]]);
    expect(found('phone #4, 02079460958')).toEqual([]);
    expect(found('telephony 02079460958')).toEqual([]);
    expect(found('hotel 02079460958')).toEqual([]);
    expect(found('cell_02079460958 x')).toEqual([]);
  });

  it('reads cues beside letters outside ASCII as the regex does', () => {
    expect(found('Téléphone : 02079460958')).toEqual([['02079460958', 0.8]]);
    expect(found('TÉLÉPHONE : 02079460958')).toEqual([['02079460958', 0.8]]);
    expect(found('José, tel 02079460958')).toEqual([['02079460958', 0.8]]);
    // `ſ` folds to `s`: `ſms` is `sms`.
    expect(found('ſms 02079460958')).toEqual([['02079460958', 0.8]]);
    expect(found('telé 02079460958')).toEqual([]);
    expect(found('ñtel 02079460958')).toEqual([]);
  });

  it('keeps the cue to its sentence', () => {
    expect(found('Tel. 02079460958')).toEqual([['02079460958', 0.8]]);
    expect(found('Call me\n02079460958')).toEqual([]);
    expect(found('Call me; 02079460958')).toEqual([]);
    expect(found('Call me.Ref 02079460958')).toEqual([]);
    expect(found('Call me.Now 02079460958')).toEqual([['02079460958', 0.8]]);
  });

  // The core reads cues, sentence ends, reference words and IBAN tails before a number; the host's regexes read a
  // cue only past letters beyond ASCII. Each case is read at offsets 0 to 16, across the core's word and lane edges.
  it.each<[string, [string, number][]]>([
    ['Tel.\n02079460958', [['02079460958', 0.8]]],
    ['phone.\n02079460958', []],
    ['Tel:\n02079460958', []],
    ['Mob; 02079460958', [['02079460958', 0.8]]],
    ['mobile; 02079460958', []],
    ['tel.\u00a002079460958', [['02079460958', 0.8]]],
    ['phone.\u00a002079460958', []],
    ['call\u2028 02079460958', [['02079460958', 0.8]]],
    ['Tél. 02079460958', []],
    ['phone İ 02079460958', [['02079460958', 0.8]]],
    ['İ phone 02079460958', [['02079460958', 0.8]]],
    ['étel 02079460958', []],
    [`phone${' '.repeat(34)}02079460958`, [['02079460958', 0.8]]],
    [`phone${' '.repeat(36)}02079460958`, []],
    ['phone\n\u0000\n02079460958', []],
    ['phone\u00000\u000002079460958', []],
    ['phone: order #02079460958', []],
    ['ID: phone 02079460958', [['02079460958', 0.8]]],
    ['phone NL97 RABO 02079460958', []],
    ['Fax.\u2028 020 7946 0958', [['020 7946 0958', 0.9]]],
    ['Call me. 020 7946 0958', [['020 7946 0958', 0.85]]],
    ['no. 020 7946 0958', [['020 7946 0958', 0.85]]],
  ])('reads what comes before %j', (text, expected) => {
    for (let offset = 0; offset <= 16; offset++) expect(found(`${'\n'.repeat(offset)}${text}`)).toEqual(expected);
  });

  it('finds nothing in a chain of groups glued to a word', () => {
    expect(phones('x020 7946 0958')).toEqual([]);
    expect(phones('x(020) 7946 0958')).toEqual([]);
    expect(phones('020 7946 0958x')).toEqual([]);
    expect(phones('at (020) 7946 0958')).toEqual(['(020) 7946 0958']);
    expect(phones('at 2024-01-31T10:00 020 7946 0958')).toEqual(['020 7946 0958']);
  });

  it('chains groups across every phone gap, and across nothing else', () => {
    for (const number of [
      '(202)456-1111',
      '(202)-456-1111',
      '202 (456) 1111',
      '202 - 456 - 1111',
      '202 / 456 / 1111',
    ]) {
      expect(phones(number)).toEqual([number]);
    }
    expect(phones('202/456/1111 and 202.456.1111')).toEqual(['202/456/1111', '202.456.1111']);
    expect(phones('202:456-1111')).toEqual([]);
    expect(phones('202_456-1111')).toEqual([]);
    expect(phones('202 -456-1111')).toEqual([]);
  });

  it('reads the text by whole code units, to its very edges', () => {
    // The low bytes of Ġ ĭ Ĩ İ Ł are those of ` - ( 0 A`: read byte-wise they would join, open or glue the groups.
    expect(phones('020\u01207946\u01200958')).toEqual([]);
    expect(phones('020\u012d7946\u012d0958')).toEqual([]);
    expect(phones('x\u0128020 7946 0958')).toEqual(['020 7946 0958']);
    expect(phones('\u0130020 7946 0958\u0141')).toEqual(['020 7946 0958']);
    expect(phones('\ud83d020 7946 0958\ude00')).toEqual(['020 7946 0958']);
    // Ĥ ĥ Ĭ ģ ī: the low bytes of `$ % , # +`, which would make money, a percentage, a thousands group or a `+` of them.
    expect(phones('\u0124020 7946 0958, \u0123020 7946 0958\u0125 and 020 7946 0958\u012c5')).toEqual([
      '020 7946 0958',
      '020 7946 0958',
      '020 7946 0958',
    ]);
    expect(phones('\u012b44 20 7946 0958')).toEqual([]);
    expect(phones('+44 20 7946 0958')).toEqual(['+44 20 7946 0958']);
    expect(phones('(020) 7946 0958')).toEqual(['(020) 7946 0958']);
    // What lies in memory after a text (here the end of a longer one placed before) is not part of it.
    expect(phones('a'.repeat(40))).toEqual([]);
    expect(phones('020 7946 0958')).toEqual(['020 7946 0958']);
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

/** A seeded source of numbers in [0, 1): the same numbers on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('compiled validity', () => {
  it.each(defaultPhoneRegions)(
    'agrees with libphonenumber’s isValid on 4,000 numbers of every possible length in %s',
    (region) => {
      const metadata = new Metadata();
      metadata.selectNumberingPlan(region);
      const valid = compiledValidity(metadata);
      const lengths = metadata.numberingPlan!.possibleLengths();
      const callingCode = getCountryCallingCode(region as CountryCode);
      const next = seeded(20_240_611);
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

/** Every calling code with the regions sharing it; `001` stands for a non-geographic code's plan (`+800`). */
function allCallingCodes(): [string, string[]][] {
  const { metadata } = new Metadata() as unknown as {
    metadata: { country_calling_codes: Record<string, string[]>; nonGeographic: Record<string, unknown> };
  };
  return [
    ...Object.entries(metadata.country_calling_codes),
    ...Object.keys(metadata.nonGeographic).map((callingCode): [string, string[]] => [callingCode, ['001']]),
  ];
}

/** What the phone detector made of `+digits` with libphonenumber's own `isValid`, `isPossible` and parser. */
function libraryVerdict(digits: string): Verdict {
  let number: PhoneNumber;
  try {
    number = new PhoneNumber(`+${digits}` as E164Number);
  } catch {
    return { kind: 'no' };
  }
  if (number.isValid()) return { kind: 'valid', number };
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (parsed?.isValid()) return { kind: 'valid', number: parsed };
  return { kind: number.isPossible() ? 'possible' : 'no' };
}

/** What the detector reads of a verdict: its kind and, for a valid number, how it is grouped when formatted. */
function readable({ kind, number }: Verdict) {
  return {
    kind,
    number: number?.number,
    country: number?.country,
    nationalNumber: number?.nationalNumber,
    carrierCode: number?.carrierCode,
    national: number?.formatNational(),
    international: number?.formatInternational(),
  };
}

describe('compiled international verdicts', () => {
  // Every calling code and the regions sharing each, as libphonenumber lists them, and the non-geographic ones.
  const callingCodes = allCallingCodes();
  const metadata = new Metadata();
  const examples = mobileExamples as Record<string, string | undefined>;

  it.each(callingCodes)(
    'agree with libphonenumber’s isValid, isPossible and parser on 150 numbers after +%s',
    (callingCode, regions) => {
      const next = seeded(Number(callingCode) * 7_919 + 17);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
      let valid = 0;
      for (let i = 0; i < 150; i++) {
        const region = pick(regions);
        let national: string;
        const example = region === '001' ? undefined : examples[region];
        if (example !== undefined && next() < 0.5) {
          // A real number with its last digits changed: valid about as often as not.
          const kept = example.length - 1 - Math.floor(next() * 4);
          national = example.slice(0, kept);
          while (national.length < example.length) national += Math.floor(next() * 10);
        } else {
          metadata.selectNumberingPlan((region === '001' ? callingCode : region) as CountryCode);
          const length = pick(metadata.numberingPlan!.possibleLengths());
          national = String(1 + Math.floor(next() * 9));
          while (national.length < length) national += Math.floor(next() * 10);
        }
        // Written with a national prefix now and then (`+44 0 20 …`), or a digit too many or too few.
        const variant = next();
        if (variant < 0.2) national = `0${national}`;
        else if (variant < 0.25) national = `${pick(['1', '8', '9', '15', '06'])}${national}`;
        else if (variant < 0.3) national += Math.floor(next() * 10);
        else if (variant < 0.35) national = national.slice(0, -1);
        const digits = `${callingCode}${national}`;
        const expected = libraryVerdict(digits);
        if (expected.kind === 'valid') valid++;
        expect(readable(internationalVerdict(digits)), `+${digits}`).toEqual(readable(expected));
      }
      // Valid numbers were compared too, not only invalid ones.
      expect(valid).toBeGreaterThan(0);
    },
  );

  it.each([
    ['1613 618 4012', 'CA'],
    ['44 7624 369230', 'IM'],
    ['44 020 7946 0958', 'GB'],
  ])('read +%s in the region its parser names', (written, region) => {
    const verdict = internationalVerdict(written.replaceAll(' ', ''));
    expect(verdict.kind).toBe('valid');
    expect(verdict.number?.country).toBe(region);
  });

  it('refuses what is no international number', () => {
    for (const digits of ['0044207946095', '999123456789', '4', '1']) {
      expect(internationalVerdict(digits).kind).toBe(libraryVerdict(digits).kind);
    }
  });
});

/** `(020) 7946 0958` → `[3, 4, 4]`. */
function groupLengths(formatted: string): number[] {
  return (formatted.match(/[0-9]+/g) ?? []).map((group) => group.length);
}

describe('compiled formats', () => {
  const examples = mobileExamples as Record<string, string | undefined>;
  const metadata = new Metadata();
  const nonGeographic = allCallingCodes().flatMap(([callingCode, regions]) =>
    regions[0] === '001' ? [callingCode] : [],
  );

  it.each(nonGeographic)('group non-geographic numbers after +%s as libphonenumber’s formatter does', (callingCode) => {
    const next = seeded(Number(callingCode));
    metadata.selectNumberingPlan(callingCode as CountryCode);
    const lengths = metadata.numberingPlan!.possibleLengths();
    for (let i = 0; i < 60; i++) {
      const length = lengths[Math.floor(next() * lengths.length)]!;
      let national = String(1 + Math.floor(next() * 9));
      while (national.length < length) national += Math.floor(next() * 10);
      const number = new PhoneNumber(`+${callingCode}${national}` as E164Number);
      expect(writtenGroups(callingCode, national, undefined, false), national).toEqual(
        groupLengths(number.formatNational()),
      );
      expect(writtenGroups(callingCode, national, undefined, true), national).toEqual(
        groupLengths(number.formatInternational()),
      );
    }
  });

  it.each(getCountries())('group numbers of %s as libphonenumber’s formatter does', (region) => {
    const next = seeded(region.charCodeAt(0) * 131 + region.charCodeAt(1));
    const callingCode = getCountryCallingCode(region);
    metadata.selectNumberingPlan(region);
    const lengths = metadata.numberingPlan!.possibleLengths();
    for (let i = 0; i < 60; i++) {
      // Half changed real numbers (most of them valid, and so formatted by their own rules), half random digits.
      const example = examples[region];
      let national: string;
      if (example !== undefined && i % 2 === 0) {
        national = example.slice(0, example.length - 1 - Math.floor(next() * 4));
        while (national.length < example.length) national += Math.floor(next() * 10);
      } else {
        const length = lengths[Math.floor(next() * lengths.length)]!;
        national = String(1 + Math.floor(next() * 9));
        while (national.length < length) national += Math.floor(next() * 10);
      }
      const inRegion = new PhoneNumber(`+${callingCode}${national}` as E164Number);
      inRegion.country = region;
      // Unset, the country is the calling code's main region.
      const ofCode = new PhoneNumber(`+${callingCode}${national}` as E164Number);
      for (const [number, country] of [
        [inRegion, region],
        [ofCode, undefined],
      ] as const) {
        const name = `${country ?? callingCode} ${national}`;
        expect(writtenGroups(callingCode, national, country, false), name).toEqual(
          groupLengths(number.formatNational()),
        );
        expect(writtenGroups(callingCode, national, country, true), name).toEqual(
          groupLengths(number.formatInternational()),
        );
      }
    }
  });
});
