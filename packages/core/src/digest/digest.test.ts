import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCountersignError } from '../errors/index.js';
import { actionDigest, canonicalJson } from './index.js';

/** Builds a double from its IEEE 754 bit pattern, as RFC 8785 Appendix B lists its samples. */
function fromIeee754(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it('serialises the §3.2.2 example exactly', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units as in the §3.2.3 example', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serialises the Appendix B number %s as %s', (bits, expected) => {
    expect(canonicalJson(fromIeee754(bits))).toBe(expected);
  });

  it.each([
    ['NaN', fromIeee754('7fffffffffffffff')],
    ['Infinity', fromIeee754('7ff0000000000000')],
  ])('refuses %s (Appendix B: not JSON)', (_, value) => {
    expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ code: 'canonicalization_failed' }));
  });

  it.each([
    ['a lone surrogate in a value', { a: '\ud800' }],
    ['a lone surrogate in a key', { '\udc00': 1 }],
    ['a bigint', { n: 1n }],
    ['a function', { f: () => 1 }],
    ['undefined in an array', [1, undefined]],
    ['a Date', { d: new Date(0) }],
  ])('refuses %s rather than changing it', (_, value) => {
    let thrown: unknown;
    try {
      canonicalJson(value);
    } catch (error) {
      thrown = error;
    }
    expect(isCountersignError(thrown, 'canonicalization_failed')).toBe(true);
  });

  it('omits undefined object members, as JSON does', () => {
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}');
  });

  it('round-trips: the canonical text parses back to an equal value and is a fixed point', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value);
        const reparsed = JSON.parse(canonical);
        expect(canonicalJson(reparsed)).toBe(canonical);
        // JSON cannot tell -0 from 0; everything else survives exactly.
        expect(reparsed).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on member order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
      { numRuns: 300 },
    );
  });
});

describe('actionDigest', () => {
  const fields = {
    action: 'data.export',
    resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
    environment: 'production',
    params: { rows: 250000, destination: 's3://acme-exports/c' },
  };

  it('is sha256 over the canonical JSON of {action, resource, environment, params}', () => {
    const canonical =
      '{"action":"data.export","environment":"production","params":{"destination":"s3://acme-exports/c","rows":250000},' +
      '"resource":{"id":"customers","labels":["pii"],"type":"dataset"}}';
    const expected = `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
    expect(actionDigest(fields)).toBe(expected);
    expect(actionDigest(fields)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('ignores everything outside the four bound fields', () => {
    const withExtras = { ...fields, justification: 'why', context: { ticket: 'OPS-1' } };
    expect(actionDigest(withExtras)).toBe(actionDigest(fields));
  });

  it('treats absent params as {}', () => {
    const { params: _, ...withoutParams } = fields;
    expect(actionDigest(withoutParams)).toBe(actionDigest({ ...withoutParams, params: {} }));
  });

  it('changes when any bound field changes', () => {
    const base = actionDigest(fields);
    expect(actionDigest({ ...fields, action: 'data.delete' })).not.toBe(base);
    expect(actionDigest({ ...fields, environment: 'staging' })).not.toBe(base);
    expect(actionDigest({ ...fields, resource: { ...fields.resource, id: 'customers2' } })).not.toBe(base);
    expect(actionDigest({ ...fields, params: { ...fields.params, rows: 250001 } })).not.toBe(base);
  });
});
