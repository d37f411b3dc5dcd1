import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonlLines, mixedJsonlLines } from '../../../../bench/mask/corpus.js';
import { defaultScanner } from '../detectors/index.js';
import { createMaskContext, type OperatorConfig } from '../operators/index.js';
import { parseMaskingPolicy } from '../policy/index.js';
import { FieldMasker } from './field-masker.js';
import { decodeJsonString, type JsonLineFields, JsonLineReader, ValueKind } from './json-line.js';
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

  it('tells the same when its callbacks scan text (the masker scans each new key), which uses the core too', () => {
    const read = (line: string, scanning: boolean) => {
      const events: string[] = [];
      const reader = new JsonLineReader<string>({
        member: (_parent, line, start, end) => {
          const key = line.slice(start, end);
          if (scanning) defaultScanner().scan(`${key} 4111 1111 1111 1111 on 2024-01-31 ${key}`);
          return key;
        },
        value: (node, kind, start, end) => events.push(`${node}:${kind}:${line.slice(start, end)}`),
        whole: () => false,
      });
      return { taken: reader.read(line, ''), events };
    };
    // A key long beside its line: the scan's text and output then lie where the line's events do.
    for (const line of [`{"${'k'.repeat(40)}":1,"b":"v"}`, `{"${'key '.repeat(30)}":{"a":[1,"x"]},"z":true}`]) {
      expect(read(line, true)).toEqual(read(line, false));
      expect(read(line, false).taken).toBe(true);
    }
  });

  it('leaves nesting deeper than it reads to JSON.parse', () => {
    const deep = `${'['.repeat(300)}1${']'.repeat(300)}`;
    expect(parses(deep)).toBe(true);
    expect(readEvents(deep)).toBeUndefined();
    expect(readEvents(`${'['.repeat(200)}1${']'.repeat(200)}`)).toEqual([1]);
  });
});

/** Every call a reader makes for each line, in order, with what it returned: as text, to compare. */
function calls(reader: new (fields: JsonLineFields<string>) => { read(line: string, root: string): boolean }) {
  const log: unknown[] = [];
  const read = new reader({
    member: (parent, line, start, end, escaped, index, object) => {
      log.push(['member', parent, start, end, escaped, index, object]);
      const key = line.slice(start, end);
      // Some members declined, and some asked for whole, so both ways out are taken.
      return key === 'no' ? undefined : `${parent}.${key}`;
    },
    value: (node, kind, start, end) => log.push(['value', node, kind, start, end]),
    whole: (node) => node.endsWith('.w') || node.endsWith('.kept') || node.length % 7 === 3,
  });
  return (line: string) => {
    log.length = 0;
    const taken = read.read(line, 'r');
    return JSON.stringify([taken, log]);
  };
}

const keys = fc.oneof(
  fc.constantFrom('w', 'no', 'kept', 'a', 'bb', 'ccc', 'a\\"b', 'x\\u0041', ''),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 5 }),
);
const leaves = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 80 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('x'.repeat(300), '\u0130'.repeat(9), '\ud800\udc00\ud800', 'a\\b"c/\b\f\n\r\t\u0001\u001f\u2028'),
);
type Tree = unknown[] | { members: Array<[string, Tree]> } | string | number | boolean | null;
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    leaves,
    fc.array(tie('tree'), { maxLength: 5 }),
    fc.array(fc.tuple(keys, tie('tree')), { maxLength: 6 }).map((members) => ({ members })),
  ),
}));
/** A tree written as JSON, `pad` around every token; keys are written raw (their escapes as they are). */
function write(value: Tree, pad: string): string {
  if (Array.isArray(value))
    return `[${pad}${value.map((item) => write(item as Tree, pad)).join(`${pad},${pad}`)}${pad}]`;
  if (value !== null && typeof value === 'object') {
    const members = value.members.map(([key, item]) => `"${key}"${pad}:${pad}${write(item, pad)}`);
    return `{${pad}${members.join(`${pad},${pad}`)}${pad}}`;
  }
  return JSON.stringify(value);
}
const lines = fc.tuple(tree, fc.constantFrom('', '', ' ', '  ')).map(([value, pad]) => pad + write(value, pad) + pad);
const edited = fc
  .tuple(
    lines,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom(...significant, '\n', '\u0000', '\u001f', '\udc00', '\u0122', '\u015c', '\\u', '"w":', '"no":'),
        fc.constantFrom('insert', 'replace', 'delete'),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([line, edits]) => {
    let out = line;
    for (const [at, c, edit] of edits) {
      const i = at % (out.length + 1);
      if (edit === 'insert') out = out.slice(0, i) + c + out.slice(i);
      else if (edit === 'replace') out = out.slice(0, i) + c + out.slice(i + 1);
      else out = out.slice(0, i) + out.slice(i + 1);
    }
    return out;
  });
const cut = fc.tuple(lines, fc.nat()).map(([line, at]) => line.slice(0, at % (line.length + 1)));
const deep = fc
  .tuple(
    fc.integer({ min: 250, max: 260 }),
    fc.constantFrom(['[', ']'], ['{"w":', '}'], ['{"a":', '}'], ['[{"b":', '}]']),
    fc.constantFrom('1', '{}', '[]', '"x"', ''),
  )
  .map(([depth, [open, close], inner]) => open!.repeat(depth) + inner + close!.repeat(depth));

describe('JsonLineReader, against the reader it replaced', () => {
  it('makes the same calls in the same order, with the same answer, on any line', () => {
    const [before, after] = [calls(ReferenceReader), calls(JsonLineReader)];
    fc.assert(
      fc.property(fc.oneof(lines, edited, edited, cut, deep), (line) => {
        expect(after(line)).toBe(before(line));
      }),
      { numRuns: 20_000 },
    );
  });

  // The pass compares eight code units at a time inside strings: each case is tried at every offset across a block.
  it.each([
    ['a closing quote', '"'],
    ['an escape', '\\n"'],
    ['a \\u escape', '\\u00e9"'],
    ['a raw control character', '\u0001"'],
    ['a raw newline', '\n"'],
    ['a unit whose low byte is a quote', '\u0122"'],
    ['a unit whose low byte is a backslash', '\u015c"'],
    ['a unit whose low byte is a control character', '\u0101"'],
    ['a dotted capital I', '\u0130"'],
    ['a lone high surrogate', '\ud800"'],
    ['a lone low surrogate', '\udc00"'],
    ['the line ending inside the string', ''],
    ['a backslash ending the line', '\\'],
    ['a \\u escape cut short by the line', '\\u12'],
  ])('reads %s at every offset of a block as the old reader did', (_name, tail) => {
    const [before, after] = [calls(ReferenceReader), calls(JsonLineReader)];
    for (let offset = 0; offset < 20; offset++) {
      for (const line of [
        `{"a":"${'x'.repeat(offset)}${tail}}`,
        `"${'y'.repeat(offset)}${tail}`,
        `["${'z'.repeat(offset)}${tail}]`,
      ]) {
        expect(after(line), JSON.stringify(line)).toBe(before(line));
      }
    }
  });

  it('tells a line that fails up to where it fails, but nothing of a line with a control character', () => {
    const told: string[] = [];
    const reader = new JsonLineReader<string>({
      member: (_parent, line, start, end) => {
        told.push(line.slice(start, end));
        return line.slice(start, end);
      },
      value: (node, _kind, start, end) => told.push(`${node}=${start}:${end}`),
      whole: () => false,
    });
    expect(reader.read('{"a":1,"b":[2,}', '')).toBe(false);
    expect(told).toEqual(['a', 'a=5:6', 'b', 'b=12:13']);
    told.length = 0;
    expect(reader.read('{"a":1,"b":[2,}\t', '')).toBe(false);
    expect(told).toEqual([]);
  });

  it('numbers objects read whole, and objects in a line that fails, as it reads them', () => {
    const objects: number[] = [];
    const reader = new JsonLineReader<string>({
      member: (_parent, line, start, end, _escaped, _index, object) => {
        objects.push(object);
        return line.slice(start, end);
      },
      value: () => {},
      whole: (node) => node === 'w',
    });
    expect(reader.read('{"w":{"a":{"b":{}}},"c":{"d":1}}', '')).toBe(true);
    expect(reader.read('{"w":[{"a":1},{"b":2}, {"c":', '')).toBe(false);
    expect(reader.read('{"e":1}', '')).toBe(true);
    // 1, the line's; 2 and 3 inside w; 4 for c. Then 5; 6, 7 and 8 inside w before it fails. Then 9.
    expect(objects).toEqual([1, 1, 4, 5, 9]);
  });

  it('reads nesting up to 256 deep, objects and arrays alike, and no deeper', () => {
    for (const [open, close, depth] of [
      ['[', ']', 256],
      ['{"a":', '}', 256],
      ['[{"a":', '}]', 128],
    ] as const) {
      expect(readEvents(`${open.repeat(depth)}1${close.repeat(depth)}`)).toBeDefined();
      expect(readEvents(`${open.repeat(depth)}[]${close.repeat(depth)}`)).toBeUndefined();
    }
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

  it('returns a masked line of up to 8,192 characters as one string, a longer one as pieces, the same either way', () => {
    const policy = 'version: 1\ncolumns:\n  - { match: drop, operator: drop }\n';
    for (const pad of [0, 8_000, 8_200]) {
      const line = `{"drop":1, "a":"mail ada@example.com","pad":"${'p'.repeat(pad)}","b":"Zoë 415-555-0199","z":2}`;
      const { json } = masker(undefined, policy);
      const read = json.readLine(line)!;
      const texts: string[] = [];
      json.lineStrings(read, texts);
      const masked = json.maskLine(read, scanMany(defaultScanner(), texts), 0);
      expect(typeof masked === 'string').toBe(line.length <= 8_192);
      const text = typeof masked === 'string' ? masked : masked.join('');
      expect(text).toBe(`{"a":"mail <EMAIL>","pad":"${'p'.repeat(pad)}","b":"Zoë <PHONE>","z":2}`);
      const { out } = bothWays([line], undefined, policy);
      expect(out[0]!.viaRead).toBe(text);
      expect(JSON.parse(text)).toEqual(JSON.parse(out[0]!.viaParse));
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

/**
 * Any control character. Raw in a string it makes the line invalid; outside one it is whitespace (a tab), which
 * this reader leaves to `JSON.parse`. One native search per line costs less than looking at every character.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const controlCharacter = /[\u0000-\u001f]/;
/** Nesting past this is left to `JSON.parse` (which recurses natively). */
const maxDepth = 256;

const quote = 0x22;
const backslash = 0x5c;
const space = 0x20;

/**
 * The reader as it was before its walk moved into the core, kept as the oracle the core's must match call for call:
 * one recursive pass in JavaScript, string contents skipped with `indexOf`.
 */
class ReferenceReader<N> {
  private line = '';
  /** The first backslash at or after `at` (-1: none): a string up to its closing quote without one is plain. */
  private nextBackslash = -1;
  private at = 0;
  /** Objects read so far, over all lines: each object's number is unique. */
  private objects = 0;
  /** Inside a value read whole: nothing is told. */
  private silent = 0;

  constructor(private readonly fields: JsonLineFields<N>) {}

  /** Reads `line` (one record) under `root`; `false` when the line is left to the caller. */
  read(line: string, root: N): boolean {
    if (controlCharacter.test(line)) return false;
    this.line = line;
    this.at = 0;
    this.silent = 0;
    this.nextBackslash = line.indexOf('\\');
    this.skipSpaces();
    if (!this.value(root, 0)) return false;
    this.skipSpaces();
    return this.at === line.length;
  }

  private skipSpaces(): void {
    const line = this.line;
    while (line.charCodeAt(this.at) === space) this.at++;
  }

  private value(node: N, depth: number): boolean {
    const line = this.line;
    const c = line.charCodeAt(this.at);
    if (c === quote) {
      const start = this.at + 1;
      const escaped = this.string();
      if (escaped === undefined) return false;
      if (this.silent === 0) this.fields.value(node, escaped ? ValueKind.escaped : ValueKind.plain, start, this.at - 1);
      return true;
    }
    if (c === 0x7b /* { */) return depth < maxDepth && this.object(node, depth + 1);
    if (c === 0x5b /* [ */) return depth < maxDepth && this.array(node, depth + 1);
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = this.at;
      if (!this.number()) return false;
      if (this.silent === 0) this.fields.value(node, ValueKind.number, start, this.at);
      return true;
    }
    if (c === 0x74 /* t */ && line.startsWith('true', this.at)) {
      this.at += 4;
      if (this.silent === 0) this.fields.value(node, ValueKind.boolean, this.at - 4, this.at);
      return true;
    }
    if (c === 0x66 /* f */ && line.startsWith('false', this.at)) {
      this.at += 5;
      if (this.silent === 0) this.fields.value(node, ValueKind.boolean, this.at - 5, this.at);
      return true;
    }
    if (c === 0x6e /* n */ && line.startsWith('null', this.at)) {
      this.at += 4;
      return true;
    }
    return false;
  }

  /**
   * Reads the string literal starting at `at` (a quote) and leaves `at` past its closing quote. Native searches
   * for the next quote and backslash skip the text between: a loop over characters costs several times more.
   * @returns whether it holds escapes; `undefined` when it is not a valid literal.
   */
  private string(): boolean | undefined {
    const line = this.line;
    let from = this.at + 1;
    let escaped = false;
    // The first quote from `from` on, looked for again only when an escape passed it (`\"`): a long text with many
    // escapes would otherwise be searched to its end once for each of them.
    let close = line.indexOf('"', from);
    for (;;) {
      if (close === -1) return undefined;
      const backslashAt = this.nextBackslash;
      if (backslashAt === -1 || backslashAt > close) {
        this.at = close + 1;
        return escaped;
      }
      // An escape comes first: check it, step over it, and look again from there.
      escaped = true;
      const e = line.charCodeAt(backslashAt + 1);
      if (e === 0x75 /* u */) {
        if (!isHex(line, backslashAt + 2)) return undefined;
        from = backslashAt + 6;
      } else if (isSimpleEscape(e)) from = backslashAt + 2;
      else return undefined;
      this.nextBackslash = line.indexOf('\\', from);
      if (close < from) close = line.indexOf('"', from);
    }
  }

  /** Reads a number literal (JSON's grammar exactly) starting at `at`. */
  private number(): boolean {
    const line = this.line;
    let at = this.at;
    if (line.charCodeAt(at) === 0x2d) at++;
    const first = line.charCodeAt(at);
    if (first === 0x30) at++;
    else if (first >= 0x31 && first <= 0x39) at = digitsEnd(line, at + 1);
    else return false;
    if (line.charCodeAt(at) === 0x2e /* . */) {
      const end = digitsEnd(line, at + 1);
      if (end === at + 1) return false;
      at = end;
    }
    const e = line.charCodeAt(at);
    if (e === 0x65 || e === 0x45 /* e E */) {
      at++;
      const sign = line.charCodeAt(at);
      if (sign === 0x2b || sign === 0x2d) at++;
      const end = digitsEnd(line, at);
      if (end === at) return false;
      at = end;
    }
    this.at = at;
    return true;
  }

  private object(node: N, depth: number): boolean {
    const line = this.line;
    this.at++;
    this.skipSpaces();
    if (line.charCodeAt(this.at) === 0x7d /* } */) {
      this.at++;
      return true;
    }
    const object = ++this.objects;
    for (let index = 0; ; index++) {
      if (line.charCodeAt(this.at) !== quote) return false;
      const keyStart = this.at + 1;
      const escaped = this.string();
      if (escaped === undefined) return false;
      const keyEnd = this.at - 1;
      this.skipSpaces();
      if (line.charCodeAt(this.at) !== 0x3a /* : */) return false;
      this.at++;
      this.skipSpaces();
      const child = this.silent === 0 ? this.fields.member(node, line, keyStart, keyEnd, escaped, index, object) : node;
      if (child === undefined) return false;
      if (this.silent === 0 && this.fields.whole(child)) {
        const start = this.at;
        this.silent++;
        const read = this.value(child, depth);
        this.silent--;
        if (!read) return false;
        this.fields.value(child, ValueKind.whole, start, this.at);
      } else if (!this.value(child, depth)) return false;
      this.skipSpaces();
      const next = line.charCodeAt(this.at++);
      if (next === 0x7d /* } */) return true;
      if (next !== 0x2c /* , */) return false;
      this.skipSpaces();
    }
  }

  private array(node: N, depth: number): boolean {
    const line = this.line;
    this.at++;
    this.skipSpaces();
    if (line.charCodeAt(this.at) === 0x5d /* ] */) {
      this.at++;
      return true;
    }
    for (;;) {
      if (!this.value(node, depth)) return false;
      this.skipSpaces();
      const next = line.charCodeAt(this.at++);
      if (next === 0x5d /* ] */) return true;
      if (next !== 0x2c /* , */) return false;
      this.skipSpaces();
    }
  }
}

function digitsEnd(line: string, at: number): number {
  for (let c = line.charCodeAt(at); c >= 0x30 && c <= 0x39; c = line.charCodeAt(at)) at++;
  return at;
}

/** `"` `\` `/` `b` `f` `n` `r` `t`: the escapes JSON allows besides `\u`. */
function isSimpleEscape(c: number): boolean {
  return (
    c === quote || c === backslash || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74
  );
}

function isHex(line: string, at: number): boolean {
  for (let i = at; i < at + 4; i++) {
    const c = line.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
