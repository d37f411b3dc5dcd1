import { describe, expect, it } from 'vitest';
import { isMaskError } from '../errors.js';
import { builtinEntityTypes, type Span } from '../types.js';
import {
  builtinDetectors,
  builtinLabels,
  createScanner,
  defaultScanner,
  ibanValid,
  labelsOf,
  luhn,
  ssnValid,
} from './index.js';

function typed(spans: Span[], text: string): [string, string][] {
  return spans.map((span) => [span.type, text.slice(span.start, span.end)]);
}

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('builtinDetectors', () => {
  it('has one detector per built-in type, in order', () => {
    expect(builtinDetectors().map((detector) => detector.type)).toEqual([...builtinEntityTypes]);
  });

  it('builds only the types asked for', () => {
    expect(builtinDetectors({ types: ['IBAN', 'EMAIL', 'JWT'] }).map((detector) => detector.type)).toEqual([
      'EMAIL',
      'IBAN',
      'JWT',
    ]);
    expect(builtinDetectors({ types: [] })).toEqual([]);
  });

  it('labels each type as the contract says', () => {
    for (const detector of builtinDetectors()) {
      expect(detector.labels, detector.type).toEqual(builtinLabels[detector.type as keyof typeof builtinLabels]);
    }
  });
});

describe('createScanner', () => {
  it('finds every kind of value in one text, sorted by start', () => {
    const scanner = createScanner({
      types: ['EMAIL', 'PHONE', 'US_SSN', 'CREDIT_CARD', 'IBAN', 'IP_ADDRESS', 'DATE_OF_BIRTH', 'US_PASSPORT'],
    });
    const text =
      'Ann (ann@example.com, +44 20 7946 0958, SSN 123-45-6789, DOB 1990-01-31) paid with 4111 1111 1111 1111 ' +
      'from 10.0.0.1; refund to GB29 NWBK 6016 1331 9268 19; passport 123456789.';
    expect(typed(scanner.scan(text), text)).toEqual([
      ['EMAIL', 'ann@example.com'],
      ['PHONE', '+44 20 7946 0958'],
      ['US_SSN', '123-45-6789'],
      ['DATE_OF_BIRTH', '1990-01-31'],
      ['CREDIT_CARD', '4111 1111 1111 1111'],
      ['IP_ADDRESS', '10.0.0.1'],
      ['IBAN', 'GB29 NWBK 6016 1331 9268 19'],
      ['US_PASSPORT', '123456789'],
    ]);
  });

  it('finds nothing in hard negatives', () => {
    const scanner = createScanner({
      types: [
        'EMAIL',
        'PHONE',
        'US_SSN',
        'CREDIT_CARD',
        'IBAN',
        'IP_ADDRESS',
        'DATE_OF_BIRTH',
        'US_PASSPORT',
        'US_DRIVER_LICENSE',
      ],
    });
    const text = [
      'Request id 123e4567-e89b-12d3-a456-426614174000, trace 550e8400-e29b-41d4-a716-446655440000.',
      'Fixed in commit 3f786850e387550fdab836ed7e6dc881de23001b; deployed build 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b.',
      'Upgraded the agent to 1.2.3, then 10.0.19045.2965 and v2.14.0.1, worker version=8.6.25.9752.',
      'Order ORD-2024-000123 and INV-2024123 shipped; PO 4512345678 refunded; parcel 9400 1234 5678 9012 3456 78.',
      'Batch id 1234567812345678 and reference 4111111111111112 do not match.',
      'Created 2024-01-31T12:30:45.123Z, synced 2024-01-31 12:30:45, epoch 1706704245, on 31.01.2024 and 01/31/2024.',
      'Form id 666-12-3456 and case 123-00-4567 were rejected; the IBAN GB29NWBK60161331926818 failed validation.',
      'The plan costs $1,234.56 or 1 234,56 €; uptime 99.95%; call std::vector<int>::size at 12:30:45.',
      'MAC 00:1a:2b:3c:4d:5e, slice a[1::2], ratio 3:2, range 1990-2000, pages 12-345.',
    ].join('\n');
    expect(typed(scanner.scan(text), text)).toEqual([]);
  });

  it('settles a tie between detectors by type name', () => {
    // SSN, passport and licence cues all reach this bare nine-digit run: SSN and passport tie on length and score
    // (0.8; the licence scores 0.75), so the type name decides.
    const scanner = createScanner({ types: ['US_SSN', 'US_PASSPORT', 'US_DRIVER_LICENSE'] });
    const text = 'SSN/passport/DL 123456789';
    expect(typed(scanner.scan(text), text)).toEqual([['US_PASSPORT', '123456789']]);
  });

  it('runs custom detectors with the built-ins; the longer span wins over the higher score', () => {
    const scanner = createScanner({
      types: ['EMAIL', 'CREDIT_CARD'],
      custom: [
        { type: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}', score: 0.9 },
        { type: 'ACCOUNT_REF', pattern: 'ACC-\\d{16}', score: 0.6 },
      ],
    });
    const text = 'mail ann@example.com about EMP-004211, account ACC-4111111111111111';
    // The card is found on its own; next to the longer custom span it loses.
    expect(typed(createScanner({ types: ['CREDIT_CARD'] }).scan(text), text)).toEqual([
      ['CREDIT_CARD', '4111111111111111'],
    ]);
    expect(typed(scanner.scan(text), text)).toEqual([
      ['EMAIL', 'ann@example.com'],
      ['EMPLOYEE_ID', 'EMP-004211'],
      ['ACCOUNT_REF', 'ACC-4111111111111111'],
    ]);
    expect(scanner.detectors.map((detector) => detector.type)).toEqual([
      'EMAIL',
      'CREDIT_CARD',
      'EMPLOYEE_ID',
      'ACCOUNT_REF',
    ]);
  });

  it('drops findings under minScore before settling overlaps', () => {
    const text = 'DL: 123456789';
    expect(createScanner({ types: ['US_DRIVER_LICENSE'] }).scan(text)).toHaveLength(1);
    expect(createScanner({ types: ['US_DRIVER_LICENSE'], minScore: 0.8 }).scan(text)).toEqual([]);
  });

  it('reads national phone numbers of the regions given', () => {
    const text = 'call 020 7946 0958';
    expect(createScanner({ types: ['PHONE'], phoneRegions: ['US'] }).scan(text)).toEqual([]);
    expect(createScanner({ types: ['PHONE'], phoneRegions: ['GB'] }).scan(text)).toHaveLength(1);
  });

  it('returns nothing for empty text and for text with nothing to find', () => {
    const scanner = defaultScanner();
    expect(scanner.scan('')).toEqual([]);
    expect(scanner.scan('the quick brown fox jumps over the lazy dog')).toEqual([]);
  });

  it.each([
    ['an unknown type', { types: ['EMAIL', 'MEDICAL_RECORD'] }],
    ['an unknown phone region', { phoneRegions: ['XX'] }],
    ['a minScore over 1', { minScore: 2 }],
    ['a minScore that is not a number', { minScore: Number.NaN }],
    ['an unsafe custom pattern', { custom: [{ type: 'X', pattern: '(a+)+' }] }],
    [
      'a custom type defined twice',
      {
        custom: [
          { type: 'X', pattern: 'a' },
          { type: 'X', pattern: 'b' },
        ],
      },
    ],
  ])('refuses %s with mask_detector_invalid', (_, options) => {
    const error = refusal(() => createScanner(options as never));
    expect(isMaskError(error, 'mask_detector_invalid')).toBe(true);
  });
});

describe('defaultScanner', () => {
  it('is built once, with every built-in detector', () => {
    expect(defaultScanner()).toBe(defaultScanner());
    expect(defaultScanner().detectors.map((detector) => detector.type)).toEqual([...builtinEntityTypes]);
  });
});

describe('labelsOf', () => {
  it('returns the labels of the types, sorted and once each', () => {
    expect(labelsOf(['EMAIL', 'CREDIT_CARD', 'PHONE'])).toEqual(['contact', 'financial', 'pii']);
    expect(labelsOf(['IP_ADDRESS'])).toEqual(['network', 'pii']);
    expect(labelsOf(['AWS_ACCESS_KEY', 'US_SSN'])).toEqual(['government_id', 'pii', 'secrets']);
    expect(labelsOf([])).toEqual([]);
  });

  it('takes a custom type’s labels from its detector, else counts it as pii', () => {
    const scanner = createScanner({
      types: [],
      custom: [{ type: 'API_SECRET', pattern: 'sk-\\w{8}', labels: ['secrets'] }],
    });
    expect(labelsOf(['API_SECRET'], scanner.detectors)).toEqual(['secrets']);
    expect(labelsOf(['API_SECRET'])).toEqual(['pii']);
  });
});

describe('the validators the package re-exports', () => {
  it('are the same functions', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(ibanValid('GB29NWBK60161331926819')).toBe(true);
    expect(ssnValid('666', '12', '3456')).toBe(false);
  });
});
