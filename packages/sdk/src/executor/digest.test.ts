import {
  actionDigest as coreActionDigest,
  canonicalJson as coreCanonicalJson,
  type SubmittedActionInput,
  submittedActionSchema,
} from '@countersign/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionDigest, canonicalJson } from './canonical-json.js';

/**
 * The SDK carries its own RFC 8785 canonical JSON and action digest so executors need not load core (zod, CEL).
 * These tests hold the copy to core's, which the server uses when it computes the digest a grant binds to.
 */

const jsonValue = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 });

/**
 * Whether a value holds a `__proto__` member anywhere. The server's JSON parser refuses such bodies, so they never
 * reach core — and zod's record parsing would turn the member into a prototype, which is not a digest question.
 */
const holdsProtoKey = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (Object.hasOwn(value, '__proto__') || Object.values(value).some(holdsProtoKey));

const nonBlank = (max: number) =>
  fc.string({ unit: 'binary', minLength: 1, maxLength: max }).filter((text) => /^[^\s]+$/.test(text));

/** Submissions the server accepts, with and without the optional fields that take defaults. */
const submission: fc.Arbitrary<SubmittedActionInput> = fc.record(
  {
    action: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}(?:\.[a-z0-9][a-z0-9_-]{0,8}){0,2}$/),
    resource: fc.record(
      {
        type: nonBlank(16),
        id: fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }),
        labels: fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { maxLength: 4 }),
        sensitivity: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
      },
      { requiredKeys: ['type', 'id'] },
    ),
    environment: nonBlank(12),
    params: fc
      .dictionary(fc.string({ unit: 'binary', maxLength: 8 }), jsonValue, { maxKeys: 6 })
      .filter((params) => !holdsProtoKey(params)),
  },
  { requiredKeys: ['action', 'resource', 'environment'] },
);

describe('canonicalJson matches core', () => {
  it('on the RFC 8785 §3.2.2 example', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    const expected =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(canonicalJson(input)).toBe(expected);
    expect(coreCanonicalJson(input)).toBe(expected);
  });

  it('on the RFC 8785 §3.2.3 member ordering example', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    expect(canonicalJson(input)).toBe(coreCanonicalJson(input));
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('on random JSON, numbers of every magnitude included', () => {
    const anyNumber = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.oneof(jsonValue, anyNumber, fc.array(anyNumber)), (value) => {
        expect(canonicalJson(value)).toBe(coreCanonicalJson(value));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', { n: Number.NEGATIVE_INFINITY }],
    ['a lone surrogate', { a: '\ud800' }],
    ['a lone surrogate in a key', { '\udc00': 1 }],
    ['a bigint', { n: 1n }],
    ['undefined in an array', [1, undefined]],
    ['a Date', { d: new Date(0) }],
  ])('refuses %s, as core does', (_, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
    expect(() => coreCanonicalJson(value)).toThrow();
  });
});

describe('actionDigest matches the digest the server computes', () => {
  it('on the digest example of core', () => {
    const fields = {
      action: 'data.export',
      resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
      environment: 'production',
      params: { rows: 250000, destination: 's3://acme-exports/c' },
    };
    expect(actionDigest(fields)).toBe(coreActionDigest(fields));
  });

  it('on random submissions, applying the same defaults (labels [], params {})', () => {
    fc.assert(
      fc.property(submission, (input) => {
        // The server digests the parsed submission: labels and params take their defaults first.
        const parsed = submittedActionSchema.parse(input);
        expect(actionDigest(input as Parameters<typeof actionDigest>[0])).toBe(coreActionDigest(parsed));
      }),
      { numRuns: 500 },
    );
  });

  it('treats absent labels as [] and absent params as {}', () => {
    const bare = { action: 'data.read', resource: { type: 'dataset', id: 'sales' }, environment: 'staging' };
    expect(actionDigest(bare)).toBe(actionDigest({ ...bare, resource: { ...bare.resource, labels: [] }, params: {} }));
    expect(actionDigest(bare)).toBe(coreActionDigest(submittedActionSchema.parse(bare)));
  });
});
