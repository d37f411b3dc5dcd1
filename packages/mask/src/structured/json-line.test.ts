import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonlLines, mixedJsonlLines } from '../../../../bench/mask/corpus.js';
import { defaultScanner } from '../detectors/index.js';
import { createMaskContext, type OperatorConfig } from '../operators/index.js';
import { parseMaskingPolicy } from '../policy/index.js';
import { FieldMasker } from './field-masker.js';
import { decodeJsonString, JsonLineReader, ValueKind } from './json-line.js';
import { JsonMasker } from './json-masker.js';
import { ReportBuilder } from './report.js';
import { scanMany } from './scan-many.js';

/** What a reader reports for a line: keys, strings decoded, numbers as numbers, booleans; `undefined` if declined. */
function readEvents(line: string): unknown[] | undefined {
  const events: unknown[] = [];
  const reader = new JsonLineReader<number>({
    member: (_parent, text, start, end, escaped) => {
      events.push(`key:${escaped ? decodeJsonString(text, start, end) : text.slice(start, end)}`);
      return 0;
    },
    value: (_node, kind, start, end) => {
      if (kind === ValueKind.plain || kind === ValueKind.escaped) {
        const text = kind === ValueKind.escaped ? decodeJsonString(line, start, end) : line.slice(start, end);
        expect(kind === ValueKind.escaped).toBe(line.slice(start, end).includes('\\'));
        events.push(`string:${text}`);
      } else if (kind === ValueKind.number) events.push(Number(line.slice(start, end)));
      else events.push(line.slice(start, end) === 'true');
    },
    whole: () => false,
  });
  return reader.read(line, 0) ? events : undefined;
}

/** The same events from the parsed value (keys and values in any order: compared sorted). */
function parsedEvents(value: unknown, out: unknown[] = []): unknown[] {
  if (typeof value === 'string') out.push(`string:${value}`);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(value);
  else if (Array.isArray(value)) for (const item of value) parsedEvents(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(`key:${key}`);
      parsedEvents(item, out);
    }
  }
  return out;
}

const hasControlCharacter = (line: string) => [...line].some((c) => c.charCodeAt(0) < 0x20);

const sorted = (events: unknown[]) => events.map((event) => JSON.stringify(event)).sort();

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** Characters that matter to JSON's grammar, for mutating valid lines into nearly valid ones. */
const significant = [...'"\\{}[],:0123456789eE.+- tfnulrsa/bx', '\t', '\u0001', '\u00a0', '\ud800', '\ufeff'];

const mutated = fc
  .tuple(
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...significant), fc.constantFrom('insert', 'replace', 'delete')), {
      maxLength: 3,
    }),
  )
  .map(([line, edits]) => {
    let out = line;
    for (const [at, c, edit] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (edit === 'insert') out = out.slice(0, i) + c + out.slice(i);
      else if (edit === 'replace') out = out.slice(0, i) + c + out.slice(i + 1);
      else out = out.slice(0, i) + out.slice(i + 1);
    }
    return out;
  });

describe('JsonLineReader', () => {
  it('never takes a line JSON.parse refuses, and takes every valid one it can', () => {
    fc.assert(
      fc.property(mutated, (line) => {
        const events = readEvents(line);
        if (events !== undefined) expect(parses(line)).toBe(true);
        // It declines only control characters (tabs as whitespace, say) and deep nesting.
        else if (parses(line) && !hasControlCharacter(line)) expect.unreachable(`declined ${line}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it('reports every key and value, strings decoded and numbers read as JSON.parse reads them', () => {
    fc.assert(
      fc.property(
        fc.jsonValue().map((value) => JSON.stringify(value)),
        (line) => {
          const parsed = JSON.parse(line);
          // JSON.stringify writes no repeated keys, which parsing would drop, so both list the same events.
          expect(sorted(readEvents(line)!)).toEqual(sorted(parsedEvents(parsed)));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it.each([
    ['escapes', String.raw`{"a\"b":"x\\y\/z\b\f\n\r\t\u00e9\uD83D\uDE00"}`],
    ['spaces around everything', ' { "a" : [ 1 , -2.5e+3 , true , false , null , { } , [ ] ] } '],
    ['a top-level string', '"just text"'],
    ['a top-level number', '-0.0E-0'],
    ['lone surrogates, as JSON.parse allows', String.raw`["\ud800","x\udfff"]`],
  ])('reads %s as JSON.parse does', (_name, line) => {
    expect(sorted(readEvents(line)!)).toEqual(sorted(parsedEvents(JSON.parse(line))));
  });

  it.each([
    ['a trailing comma', '{"a":1,}'],
    ['a leading zero', '{"a":01}'],
    ['a bare minus', '[-]'],
    ['a dot with no digits', '[1.]'],
    ['an exponent with no digits', '[1e+]'],
    ['a bad escape', String.raw`["\x41"]`],
    ['a short \\u escape', String.raw`["\u12"]`],
    ['an unterminated string', '{"a":"b}'],
    ['a raw tab in a string', '["a\tb"]'],
    ['two values', '{} {}'],
    ['single quotes', "{'a':1}"],
    ['a misspelt literal', '[tru]'],
    ['a BOM', '\ufeff{}'],
    ['a non-breaking space as whitespace', '{\u00a0}'],
  ])('declines %s', (_name, line) => {
    expect(readEvents(line)).toBeUndefined();
  });

  it('gives a member asked for whole in one piece, still checked, and nothing inside it', () => {
    const events: string[] = [];
    const reader = new JsonLineReader<string>({
      member: (_parent, line, start, end) => line.slice(start, end),
      value: (node, kind, start, end) => events.push(`${node}:${kind}:${line.slice(start, end)}`),
      whole: (node) => node === 'kept',
    });
    const line = '{"a":1,"kept":{"b":"x","c":[1,{"d":null}]},"e":"y","kept":null}';
    expect(reader.read(line, '')).toBe(true);
    expect(events).toEqual(['a:2:1', 'kept:4:{"b":"x","c":[1,{"d":null}]}', 'e:0:y', 'kept:4:null']);
    expect(reader.read('{"kept":{"b":01}}', '')).toBe(false);
  });

  it('leaves nesting deeper than it reads to JSON.parse', () => {
    const deep = `${'['.repeat(300)}1${']'.repeat(300)}`;
    expect(parses(deep)).toBe(true);
    expect(readEvents(deep)).toBeUndefined();
    expect(readEvents(`${'['.repeat(200)}1${']'.repeat(200)}`)).toEqual([1]);
  });
});

describe('decodeJsonString', () => {
  it('decodes as JSON.parse does', () => {
    const escaped = fc
      .array(
        fc.oneof(
          fc.string({ unit: 'binary' }).map((text) => JSON.stringify(text).slice(1, -1)),
          fc.integer({ min: 0, max: 0xffff }).map((code) => `\\u${code.toString(16).padStart(4, '0')}`),
          fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u00E9'),
        ),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(escaped, fc.string({ maxLength: 3 }), (inner, pad) => {
        const line = `${pad}"${inner}"${pad}`;
        expect(decodeJsonString(line, pad.length + 1, pad.length + 1 + inner.length)).toBe(JSON.parse(`"${inner}"`));
      }),
      { numRuns: 5_000 },
    );
  });
});

/** A masker with its own report, on the default scanner. */
function masker(findings: OperatorConfig = { operator: 'replace' }, policyYaml?: string) {
  const report = new ReportBuilder();
  const field = new FieldMasker(defaultScanner(), findings, createMaskContext({ key: 'k'.repeat(32) }), report);
  const policy =
    policyYaml === undefined
      ? undefined
      : parseMaskingPolicy(policyYaml, { env: { COUNTERSIGN_MASK_KEY: 'k'.repeat(32) } });
  return { json: new JsonMasker(field, policy, { operator: policy?.default ?? 'scan' }), report };
}

const report = (builder: ReportBuilder) =>
  builder.maskReport({ format: 'jsonl', records: 0, invalid: 0, bytesIn: 0, bytesOut: 0, durationMs: 0 });

/** Masks `lines` both ways, one record at a time: read in place, and parsed. */
function bothWays(lines: readonly string[], findings?: OperatorConfig, policyYaml?: string) {
  const inPlace = masker(findings, policyYaml);
  const parsed = masker(findings, policyYaml);
  const declined: string[] = [];
  const out = lines.map((line) => {
    const read = inPlace.json.readLine(line);
    let viaRead: string;
    if (read) {
      const texts: string[] = [];
      inPlace.json.lineStrings(read, texts);
      const masked = inPlace.json.maskLine(read, scanMany(defaultScanner(), texts), 0);
      viaRead = typeof masked === 'string' ? masked : masked.join('');
    } else {
      declined.push(line);
      const masked = inPlace.json.maskRecord(JSON.parse(line));
      viaRead = masked.changed ? JSON.stringify(masked.value) : line;
    }
    const masked = parsed.json.maskRecord(JSON.parse(line));
    const viaParse = masked.changed ? JSON.stringify(masked.value) : line;
    return { line, viaRead, viaParse };
  });
  return { out, declined, reports: [report(inPlace.report), report(parsed.report)] };
}

describe('JsonMasker: lines read in place', () => {
  it('masks the benchmark corpora as parsing does: same values, same report', () => {
    const lines: string[] = [];
    for (const generate of [mixedJsonlLines, jsonlLines]) {
      const source = generate();
      for (let i = 0; i < 400; i++) lines.push(source.next().value as string);
    }
    for (const findings of [{ operator: 'replace' }, { operator: 'replace', numbered: true }] as const) {
      const { out, declined, reports } = bothWays(lines, findings);
      expect(declined).toEqual([]);
      for (const { viaRead, viaParse } of out) expect(JSON.parse(viaRead)).toEqual(JSON.parse(viaParse));
      expect(reports[0]).toEqual(reports[1]);
      expect(out.filter(({ viaRead, line }) => viaRead !== line).length).toBeGreaterThan(300);
    }
  });

  it('writes a long masked value as JSON.stringify writes it, however its pieces fall', () => {
    // Past 8,192 characters a masked value is written a piece at a time. The value masks to `<EMAIL> ` and filler,
    // so the emoji's two halves sit at 8,191 and 8,192 for shift 0: across the first piece boundary.
    for (const shift of [-1, 0, 1]) {
      const text = `ada@example.com ${'y'.repeat(8_183 + shift)}\u{1F600} "quoted"\n\u0001\t${'z'.repeat(20_000)}\u{1F600}`;
      const line = JSON.stringify({ id: shift, note: text, tail: 'ok' });
      const { out, declined, reports } = bothWays([line]);
      expect(declined).toEqual([]);
      expect(out[0]!.viaRead).toBe(out[0]!.viaParse);
      expect(out[0]!.viaRead).toContain('"note":"<EMAIL> yyy');
      expect(reports[0]).toEqual(reports[1]);
    }
  });

  it('keeps everything it does not mask as it came: spacing, number forms, escapes', () => {
    const line = '{ "n": 1.50, "big": 1e2, "s": "caf\\u00e9 \\/ ok", "mail": "write to ada@example.com" }';
    const { out } = bothWays([line]);
    expect(out[0]!.viaRead).toBe('{ "n": 1.50, "big": 1e2, "s": "caf\\u00e9 \\/ ok", "mail": "write to <EMAIL>" }');
    expect(JSON.parse(out[0]!.viaRead)).toEqual(JSON.parse(out[0]!.viaParse));
  });

  it.each([
    ['long integers, however written', '{"a":4111111111111111,"b":4.111111111111111e15,"c":123456789.0,"d":-1e8}'],
    ['escaped strings', String.raw`{"note":"line one\nmail ada@example.com\tand \"quoted\" \u0062ob@example.org"}`],
    ['escaped keys', String.raw`{"n\u0061me":"Ada Lovelace called 415-555-0199","a\"b":"x"}`],
    ['arrays of objects', '{"people":[{"email":"a@b.io"},{"email":"c@d.io","phone":"+44 20 7946 0958"}]}'],
    ['a top-level string', '"card 4111 1111 1111 1111"'],
    ['empty strings and nulls', '{"a":"","b":null,"c":[],"d":{},"e":false}'],
    ['a __proto__ key', '{"__proto__":"ssn 123-45-6789","x":{"__proto__":{"y":"a@b.io"}}}'],
  ])('gives the same output as parsing for %s', (_name, line) => {
    const { out, declined, reports } = bothWays([line]);
    expect(declined).toEqual([]);
    expect(JSON.parse(out[0]!.viaRead)).toEqual(JSON.parse(out[0]!.viaParse));
    expect(reports[0]).toEqual(reports[1]);
  });

  it.each([
    ['a repeated key', '{"a":"x","b":{"c":1},"a":"ada@example.com"}'],
    ['a key that reads as an array index', '{"b":"x","1":"ada@example.com"}'],
    ['a key holding a finding', '{"ada@example.com":"x"}'],
  ])('leaves %s to parsing', (_name, line) => {
    const { out, declined, reports } = bothWays([line]);
    expect(declined).toEqual([line]);
    expect(out[0]!.viaRead).toBe(out[0]!.viaParse);
    expect(reports[0]).toEqual(reports[1]);
  });

  it('leaves invalid JSON to parsing, which says what is wrong', () => {
    expect(masker().json.readLine('{"a":1,}')).toBeUndefined();
  });

  const dropping =
    "version: 1\ncolumns:\n  - { match: email, operator: drop }\n  - { match: '*.internal*', operator: drop }\n";

  it.each([
    ['first', '{"email":"a@b.io","x":1}', '{"x":1}'],
    ['last', '{"x":1,"email":"a@b.io"}', '{"x":1}'],
    ['in the middle, among spaces', '{ "x": 1 , "email" : "a@b.io" , "y": 2 }', '{ "x": 1  , "y": 2 }'],
    ['alone', '{"email":"a@b.io"}', '{}'],
    ['alone among spaces, an object', '{ "internal": {"a":[1,{"b":"c"}]} }', '{  }'],
    ['two first', '{"email":1,"internal_id":null,"x":3}', '{"x":3}'],
    ['two last', '{"x":3,"email":[],"internal_id":"a, b"}', '{"x":3}'],
    ['all three', '{"internal":1,"email":2, "internal_id":3}', '{}'],
    ['first and last', '{"email":1,"x":2,"internal":3}', '{"x":2}'],
    [
      'between masked values',
      '{"note":"mail ada@example.com","email":"x","other":"call 415-555-0199"}',
      '{"note":"mail <EMAIL>","other":"call <PHONE>"}',
    ],
    [
      'nested and in arrays',
      '{"a":{"internal":true,"b":"ann@example.com"},"c":[{"internal_x":1},{"d":2,"internal_y":{}}]}',
      '{"a":{"b":"<EMAIL>"},"c":[{},{"d":2}]}',
    ],
  ])('cuts out a member a rule drops: %s', (_name, line, expected) => {
    const { out, declined, reports } = bothWays([line], undefined, dropping);
    expect(declined).toEqual([]);
    expect(out[0]!.viaRead).toBe(expected);
    expect(JSON.parse(out[0]!.viaRead)).toEqual(JSON.parse(out[0]!.viaParse));
    expect(reports[0]).toEqual(reports[1]);
  });

  it('cuts out dropped members of any arrangement as parsing drops them', () => {
    const member = fc.tuple(
      fc.constantFrom('email', 'internal', 'internal_id', 'x', 'y', 'note'),
      fc.constantFrom('1', 'null', '"a@b.io"', '{"internal":2,"z":"call 415-555-0199"}', '[1,{"email":"c"}]', '""'),
      fc.constantFrom('', ' ', '  '),
    );
    const object = fc
      .uniqueArray(member, { selector: ([key]) => key, maxLength: 6 })
      .map(
        (members) => `{${members.map(([key, value, pad]) => `${pad}"${key}"${pad}:${pad}${value}${pad}`).join(',')}}`,
      );
    fc.assert(
      fc.property(object, (line) => {
        const { out, declined, reports } = bothWays([line], undefined, dropping);
        expect(declined).toEqual([]);
        expect(JSON.parse(out[0]!.viaRead)).toEqual(JSON.parse(out[0]!.viaParse));
        expect(reports[0]).toEqual(reports[1]);
      }),
      { numRuns: 2_000 },
    );
  });

  const policies = {
    'rules of every operator, numbered':
      'version: 1\ndefault: scan\nnumbered: true\ncolumns:\n' +
      '  - { match: customer.email, operator: tokenize }\n' +
      '  - { match: customer.phone, operator: partial, keep: 4 }\n' +
      '  - { match: customer.name, operator: replace, type: PERSON }\n' +
      '  - { match: customer.address, operator: keep }\n' +
      '  - { match: http, operator: keep }\n' +
      '  - { match: amount_cents, operator: generalise, bucket: 1000 }\n' +
      '  - { match: created_at, operator: generalise }\n' +
      '  - { match: id, operator: redact }\n' +
      '  - { match: level, operator: replace }\n' +
      '  - { match: commit, operator: drop }\n' +
      '  - { match: customer.address.postcode, operator: drop }\n',
    'default keep, some fields scanned':
      'version: 1\ndefault: keep\ncolumns:\n  - { match: notes, operator: scan }\n  - { match: message, operator: scan }\n' +
      '  - { match: customer.*, operator: scan }\n  - { match: request_id, operator: drop }\n' +
      '  - { match: tags, operator: drop }\n',
  };

  it.each(Object.entries(policies))('masks as parsing does under a policy: %s', (_name, policy) => {
    const lines: string[] = [];
    for (const generate of [mixedJsonlLines, jsonlLines]) {
      const source = generate();
      for (let i = 0; i < 300; i++) lines.push(source.next().value as string);
    }
    lines.push(
      '{"id":null,"http":null,"customer":{"address":null,"email":"a@b.io"},"amount_cents":123456789012,"level":true}',
      '{"http":{"x":[1,"ada@example.com",{"y":null}]},"customer":[{"address":{"z":"4111 1111 1111 1111"}}]}',
      '{"id":12345678901,"created_at":"2024-01-31T10:00:00Z","notes":"call 415-555-0199","level":""}',
    );
    const { out, declined, reports } = bothWays(lines, { operator: 'replace', numbered: true }, policy);
    expect(declined).toEqual([]);
    for (const { viaRead, viaParse } of out) expect(JSON.parse(viaRead)).toEqual(JSON.parse(viaParse));
    expect(reports[0]).toEqual(reports[1]);
    expect(out.filter(({ viaRead, line }) => viaRead !== line).length).toBeGreaterThan(300);
  });
});
