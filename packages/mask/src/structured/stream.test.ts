import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultScanner } from '../detectors/index.js';
import { MaskError } from '../errors.js';
import { parseMaskingPolicy } from '../policy/index.js';
import type { Scanner } from '../types.js';
import { type MaskReport, maskStream, scanStream } from './index.js';
import { fileChunkBytes, largeText } from './stream-io.js';

const key = 'k'.repeat(32);

/** Yields `text` as UTF-8 bytes in chunks of `size` bytes (splitting multi-byte characters). */
async function* bytes(text: string, size = 64 * 1024): AsyncGenerator<Buffer> {
  const buffer = Buffer.from(text, 'utf8');
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

class Collector extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.chunks.push(chunk);
    done();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

async function mask(
  format: 'csv' | 'jsonl',
  text: string,
  options: Partial<Parameters<typeof maskStream>[0]> & { chunk?: number } = {},
): Promise<{ text: string; report: MaskReport }> {
  const output = new Collector();
  const report = await maskStream({ format, input: bytes(text, options.chunk), output, ...options });
  return { text: output.text, report };
}

function codeOf(error: unknown): string | undefined {
  return error instanceof MaskError ? error.code : undefined;
}

describe('maskStream: JSONL without a policy', () => {
  it('scans every string, nested too, and the keys', async () => {
    const input = `${[
      { id: 1, note: 'mail ada@example.com', tags: ['x', 'bob@example.org'], deep: { deeper: { e: 'c@d.io' } } },
      { 'eve@example.net': true, card: 4111111111111111, n: 3 },
    ]
      .map((record) => JSON.stringify(record))
      .join('\n')}\n`;
    const { text } = await mask('jsonl', input);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { id: 1, note: 'mail <EMAIL>', tags: ['x', '<EMAIL>'], deep: { deeper: { e: '<EMAIL>' } } },
      { '<EMAIL>': true, card: '<CREDIT_CARD>', n: 3 },
    ]);
  });

  it('reads a leading BOM, CRLF line ends and characters split across chunks', async () => {
    const input = '\uFEFF{"note":"Zoë pays €5 to ada@example.com"}\r\n{"n":"中文 bob@example.org"}';
    for (const chunk of [1, 3, 64 * 1024]) {
      const { text, report } = await mask('jsonl', input, { chunk });
      expect(text).toBe('{"note":"Zoë pays €5 to <EMAIL>"}\n{"n":"中文 <EMAIL>"}\n');
      expect(report.bytesIn).toBe(Buffer.byteLength(input));
    }
  });

  it('keeps an emoji whose halves arrive in separate text chunks', async () => {
    async function* text(...chunks: string[]): AsyncGenerator<string> {
      yield* chunks;
    }
    const output = new Collector();
    const report = await maskStream({
      format: 'jsonl',
      input: text('{"note":"hi \ud83d', '\udd10 ada@example.com"}\n{"n":"\ud83d', '\udd10"}'),
      output,
    });
    expect(output.text).toBe('{"note":"hi 🔐 <EMAIL>"}\n{"n":"🔐"}\n');
    expect(report.bytesIn).toBe(Buffer.byteLength('{"note":"hi 🔐 ada@example.com"}\n{"n":"🔐"}'));
  });

  it('masks records scanned in batches exactly as each record alone, and keeps a cue in its own record', async () => {
    const records = Array.from({ length: 700 }, (_, i) =>
      i % 3 === 0
        ? { i, nested: { mail: `user${i}@example.com`, ok: true }, note: 'ask our passport' }
        : i % 3 === 1
          ? { i, id: '123456789', dob: i % 2 === 0 ? 'born 1990-01-31' : '2024-01-31', n: 4111111111111111 }
          : { i, note: `Dear John Smith, call +44 20 7946 0958 or ${i}`, drop: [null, 'x', 'passport 123456789'] },
    );
    const lines = records.map((record) => JSON.stringify(record));
    const together = await mask('jsonl', `${lines.join('\n')}\n`);
    const alone: string[] = [];
    for (const line of lines) alone.push((await mask('jsonl', `${line}\n`)).text);
    expect(together.text).toBe(alone.join(''));
    // The nine digits after a record ending in "passport" are not a passport number: the cue is in another record.
    expect(together.text.split('\n')[1]).toContain('"id":"123456789"');
    expect(together.text.split('\n')[2]).toContain('<US_PASSPORT>');
  });

  it('masks keys and their values together without bringing the raw key back', async () => {
    const { text } = await mask('jsonl', '{"ada@example.com":"bob@example.org","x":{"c@d.io":{"e@f.io":1}}}\n');
    expect(JSON.parse(text)).toEqual({ '<EMAIL>': '<EMAIL>', x: { '<EMAIL>': { '<EMAIL>': 1 } } });
    expect(text).not.toContain('example');
  });

  it('masks a __proto__ field as data', async () => {
    const { text } = await mask('jsonl', '{"__proto__":"ada@example.com","a":{"__proto__":["bob@example.org"]}}\n');
    expect(text).toBe('{"__proto__":"<EMAIL>","a":{"__proto__":["<EMAIL>"]}}\n');
  });

  it('passes clean lines through as they came, skips blank lines and reads CRLF', async () => {
    const { text, report } = await mask('jsonl', '{"a": 1.0,  "b":"x"}\r\n\n   \n{"c":"d@e.io"}');
    expect(text).toBe('{"a": 1.0,  "b":"x"}\n{"c":"<EMAIL>"}\n');
    expect(report.records).toBe(2);
  });

  it('writes lines that come out unchanged as their bytes, but never passes invalid UTF-8 through', async () => {
    const input = Buffer.concat([
      Buffer.from('{"a": 1.50, "b":"caf\u00e9 \\u00e9 中文"}\n'),
      // An invalid byte, and an overlong '@' (C0 80) that a lenient decoder downstream might read as one.
      Buffer.from('{"c":"a'),
      Buffer.from([0xff]),
      Buffer.from('b","d":"ada'),
      Buffer.from([0xc0, 0x80]),
      Buffer.from('example.com"}\n'),
    ]);
    const output = new Collector();
    const chunks = async function* () {
      for (let i = 0; i < input.length; i += 7) yield input.subarray(i, i + 7);
    };
    await maskStream({ format: 'jsonl', input: chunks(), output });
    const written = Buffer.concat(output.chunks);
    const [first, second] = input.toString('utf8').split('\n');
    expect(written.equals(Buffer.from(`${first}\n${second}\n`, 'utf8'))).toBe(true);
    expect(written.includes(Buffer.from([0xff]))).toBe(false);
    expect(written.includes(Buffer.from([0xc0, 0x80]))).toBe(false);
  });

  it('gives the same output for 1-byte chunks, multi-byte characters split across them', async () => {
    const input = `${JSON.stringify({ name: 'Zoë 日本 🎉', mail: 'zoë@example.com 🎉 ada@example.com' })}\n${JSON.stringify({ x: 'é' })}\n`;
    const whole = await mask('jsonl', input);
    const bytewise = await mask('jsonl', input, { chunk: 1 });
    expect(bytewise.text).toBe(whole.text);
    expect(JSON.parse(bytewise.text.split('\n')[0]!).name).toBe('Zoë 日本 🎉');
    expect(bytewise.text).toContain('<EMAIL>');
    expect(bytewise.text).not.toContain('ada@example.com');
    expect(bytewise.text).toContain('{"x":"é"}');
  });

  it('accepts string chunks and a Readable', async () => {
    const output = new Collector();
    await maskStream({ format: 'jsonl', input: Readable.from(['{"a":"ada@exa', 'mple.com"}\n']), output });
    expect(output.text).toBe('{"a":"<EMAIL>"}\n');
  });

  it('refuses a line that is not JSON, naming its line', async () => {
    const error = await mask('jsonl', '{"a":1}\n\n{"a":\n').catch((e: unknown) => e);
    expect(codeOf(error)).toBe('mask_input_invalid');
    expect((error as MaskError).details).toEqual({ line: 3 });
  });

  it('skips and counts bad lines with onInvalid: skip', async () => {
    const { text, report } = await mask('jsonl', '{"a":1}\nnot json\n{"b":2}\n', { onInvalid: 'skip' });
    expect(text).toBe('{"a":1}\n{"b":2}\n');
    expect(report).toMatchObject({ records: 2, invalid: 1 });
  });

  it('refuses an unknown format', async () => {
    expect(codeOf(await mask('xml' as 'csv', '').catch((e: unknown) => e))).toBe('mask_format_unknown');
  });
});

describe('maskStream: batches', () => {
  it('never scans a text longer than a regular heap object may be, unless one record alone is', async () => {
    const scanned: number[] = [];
    const inner = defaultScanner();
    const scanner: Scanner = {
      detectors: inner.detectors,
      scan(text) {
        scanned.push(text.length);
        return inner.scan(text);
      },
    };
    // Two-byte text (a `€`), records of every size up to 20,000 characters.
    const random = (i: number) => (i * 7919) % 20_000;
    const jsonl = Array.from({ length: 400 }, (_, i) => JSON.stringify({ i, note: `€ ${'x'.repeat(random(i))}` }));
    await mask('jsonl', `${jsonl.join('\n')}\n`, { scanner });
    const csv = Array.from({ length: 400 }, (_, i) => `${i},€ ${'y'.repeat(random(i))}`);
    await mask('csv', `id,note\n${csv.join('\n')}\n`, { scanner });
    expect(scanned.length).toBeGreaterThan(40);
    expect(Math.max(...scanned)).toBeLessThanOrEqual(largeText);
  });
});

describe('maskStream: JSONL with a policy', () => {
  const policy = parseMaskingPolicy(
    `version: 1
default: scan
numbered: true
columns:
  - { match: customer.email, operator: tokenize }
  - { match: items.*.card, operator: partial }
  - { match: internal_id, operator: drop }
  - { match: age, operator: generalise }
  - { match: meta, operator: keep }
  - { match: name, operator: replace, type: PERSON }
`,
    { env: { COUNTERSIGN_MASK_KEY: key } },
  );

  it('applies rules by field path (arrays transparent) and scans the rest', async () => {
    const records = [
      {
        internal_id: 7,
        age: 37,
        name: 'Ada Lovelace',
        customer: { email: 'ada@example.com', note: 'cc bob@example.org and ada@example.com' },
        items: [{ card: '4111 1111 1111 1111' }, { card: '5500 0000 0000 0004' }],
        meta: { raw: 'ada@example.com' },
        text: 'ada@example.com',
      },
      { customer: { email: 'ada@example.com', note: 'ada@example.com' } },
    ];
    const { text, report } = await mask('jsonl', records.map((r) => JSON.stringify(r)).join('\n'), { policy });
    expect(report.columns.internal_id).toEqual({ operator: 'drop', values: 0, masked: 0, findings: {} });
    expect(report.columns['items.card']).toMatchObject({ operator: 'partial', values: 2, masked: 2 });
    expect(report.columns.name).toMatchObject({ operator: 'replace', findings: { PERSON: 1 } });
    const [first, second] = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(first.internal_id).toBeUndefined();
    expect(first.age).toBe('30-39');
    expect(first.name).toBe('<PERSON_1>');
    expect(first.customer.email).toMatch(/^tok_[0-9a-f]{24}$/);
    expect(first.items).toEqual([{ card: '**** **** **** 1111' }, { card: '**** **** **** 0004' }]);
    expect(first.meta).toEqual({ raw: 'ada@example.com' });
    // Numbered within the record, across fields: ada is 1 wherever she appears, bob 2.
    // Numbered within the record in order of appearance, across fields: bob is 1 wherever he appears, ada 2.
    expect(first.customer.note).toBe('cc <EMAIL_1> and <EMAIL_2>');
    expect(first.text).toBe('<EMAIL_2>');
    // …and numbering starts again in the next record, while tokens stay the same across records.
    expect(second.customer.note).toBe('<EMAIL_1>');
    expect(second.customer.email).toBe(first.customer.email);
  });

  it('with default keep, touches only what rules name', async () => {
    const keep = parseMaskingPolicy('version: 1\ndefault: keep\ncolumns:\n  - { match: notes, operator: scan }\n', {
      env: {},
    });
    const { text } = await mask('jsonl', '{"email":"ada@example.com","notes":"ada@example.com"}\n', { policy: keep });
    expect(JSON.parse(text)).toEqual({ email: 'ada@example.com', notes: '<EMAIL>' });
  });
});

describe('maskStream: the report', () => {
  it('counts records, bytes, findings per type and column, labels and masked examples', async () => {
    const records = Array.from({ length: 10 }, (_, i) => ({ id: i, note: `mail user${i}@example.com please`, n: 'x' }));
    const input = records.map((r) => JSON.stringify(r)).join('\n');
    const progress: number[] = [];
    const { text, report } = await mask('jsonl', input, {
      chunk: 100,
      onProgress: (p) => progress.push(p.bytesIn),
    });
    expect(report).toMatchObject({
      format: 'jsonl',
      records: 10,
      invalid: 0,
      bytesIn: Buffer.byteLength(input),
      bytesOut: Buffer.byteLength(text),
      findings: { EMAIL: 10 },
      labels: expect.arrayContaining(['contact', 'pii']),
    });
    expect(report.columns.note).toEqual({ operator: 'scan', values: 10, masked: 10, findings: { EMAIL: 10 } });
    expect(report.columns.n).toEqual({ operator: 'scan', values: 10, masked: 0, findings: {} });
    expect(report.examples).toHaveLength(3);
    for (const example of report.examples) {
      expect(example).toMatchObject({ column: 'note', type: 'EMAIL', masked: 'mail <EMAIL> please' });
      expect(example.masked.length).toBeLessThanOrEqual(80);
    }
    expect(JSON.stringify(report)).not.toContain('@example.com');
    expect(progress.at(-1)).toBe(Buffer.byteLength(input));
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps examples short around long text', async () => {
    const note = `${'a'.repeat(200)} ada@example.com ${'b'.repeat(200)}`;
    const { report } = await mask('jsonl', JSON.stringify({ note }));
    expect(report.examples[0]?.masked).toHaveLength(80);
    expect(report.examples[0]?.masked).toContain('<EMAIL>');
  });
});

describe('maskStream: CSV', () => {
  it('masks rows scanned in batches exactly as each row alone, and keeps a cue in its own row', async () => {
    const header = 'id,note,ref\n';
    const rows = Array.from({ length: 900 }, (_, i) =>
      i % 2 === 0
        ? `${i},mail a${i}@example.com,ask our passport\n`
        : `${i},123456789,"Dear John Smith, +44 20 7946 0958"\n`,
    );
    const together = await mask('csv', header + rows.join(''));
    const alone: string[] = [];
    for (const row of rows) alone.push((await mask('csv', header + row)).text.slice(header.length));
    expect(together.text).toBe(header + alone.join(''));
    expect(together.text.split('\n')[2]).toMatch(/^1,123456789,/);
  });

  const csv =
    'id,email,notes,internal_id\r\n1,ada@example.com,"call ""Ada"" at ada@example.com,\r\nthen bob@example.org",9\r\n2,,plain,8\r\n';

  it('masks cells, keeps the header and line endings, quotes what needs it', async () => {
    const { text, report } = await mask('csv', csv);
    expect(text).toBe(
      'id,email,notes,internal_id\r\n1,<EMAIL>,"call ""Ada"" at <EMAIL>,\r\nthen <EMAIL>",9\r\n2,,plain,8\r\n',
    );
    expect(report).toMatchObject({ format: 'csv', records: 2, findings: { EMAIL: 3 } });
    expect(report.columns.email).toEqual({ operator: 'scan', values: 1, masked: 1, findings: { EMAIL: 1 } });
  });

  it('gives the same output for 1-byte chunks', async () => {
    expect((await mask('csv', csv, { chunk: 1 })).text).toBe((await mask('csv', csv)).text);
  });

  it('applies column rules: drop removes the column, names match case-insensitively', async () => {
    const policy = parseMaskingPolicy(
      'version: 1\ncolumns:\n  - { match: EMAIL, operator: tokenize }\n  - { match: internal_*, operator: drop }\n  - { match: id, operator: keep }\n',
      { env: { COUNTERSIGN_MASK_KEY: key } },
    );
    const { text, report } = await mask('csv', csv, { policy });
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('id,email,notes');
    expect(lines[1]).toMatch(/^1,tok_[0-9a-f]{24},"call ""Ada"" at <EMAIL>,$/);
    expect(report.columns.email?.operator).toBe('tokenize');
    expect(report.columns.internal_id?.operator).toBe('drop');
  });

  it('refuses a ragged row with its line number, or skips it', async () => {
    const ragged = 'a,b\n1,2\n1,2,3\n4,5\n';
    const error = await mask('csv', ragged).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('mask_input_invalid');
    expect((error as MaskError).details).toMatchObject({ line: 3 });
    const { text, report } = await mask('csv', ragged, { onInvalid: 'skip' });
    expect(text).toBe('a,b\n1,2\n4,5\n');
    expect(report).toMatchObject({ records: 2, invalid: 1 });
  });

  it('numbers findings per row', async () => {
    const policy = parseMaskingPolicy('version: 1\nnumbered: true\n', { env: {} });
    const { text } = await mask('csv', 'a,b\nx@y.io,z@w.io x@y.io\nz@w.io,\n', { policy });
    expect(text).toBe('a,b\n<EMAIL_1>,<EMAIL_2> <EMAIL_1>\n<EMAIL_1>,\n');
  });

  it('takes another delimiter', async () => {
    const { text } = await mask('csv', 'a;b\nada@example.com;"x;y"\n', { delimiter: ';' });
    expect(text).toBe('a;b\n<EMAIL>;"x;y"\n');
  });
});

describe('maskStream: classify', () => {
  it('replaces a column that is mostly one type with that type, unless a rule names it', async () => {
    const policy = parseMaskingPolicy(
      'version: 1\ndefault: keep\nclassify: { sample: 3 }\ncolumns:\n  - { match: other, operator: keep }\n',
      { env: {} },
    );
    const rows = [
      'contact,other,free',
      'ada@example.com,a@b.io,hello',
      'bob@example.org,c@d.io,x',
      ',e@f.io,y',
      'zed@example.com,g@h.io,z',
    ];
    const { text, report } = await mask('csv', `${rows.join('\n')}\n`, { policy });
    expect(text).toBe('contact,other,free\n<EMAIL>,a@b.io,hello\n<EMAIL>,c@d.io,x\n,e@f.io,y\n<EMAIL>,g@h.io,z\n');
    expect(report.columns.contact?.operator).toBe('replace');
  });

  it('classifies JSONL field paths', async () => {
    const policy = parseMaskingPolicy('version: 1\ndefault: keep\nclassify: true\n', { env: {} });
    const lines = [
      { u: { m: 'ada@example.com' }, t: 'hi' },
      { u: { m: 'bob@example.org' }, t: 'there' },
    ];
    const { text } = await mask('jsonl', lines.map((l) => JSON.stringify(l)).join('\n'), { policy });
    expect(text).toBe('{"u":{"m":"<EMAIL>"},"t":"hi"}\n{"u":{"m":"<EMAIL>"},"t":"there"}\n');
  });
});

describe('maskStream: streams', () => {
  it('honours backpressure: never more than a batch waits in a slow output', async () => {
    let maxBuffered = 0;
    let written = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        setImmediate(done);
      },
    });
    const line = `${JSON.stringify({ note: 'mail ada@example.com about the weather, at some length'.repeat(4) })}\n`;
    const input = (async function* () {
      for (let i = 0; i < 20_000; i++) {
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        yield line;
      }
    })();
    const report = await maskStream({ format: 'jsonl', input, output: slow });
    expect(report.records).toBe(20_000);
    expect(written).toBe(report.bytesOut);
    expect(report.bytesIn).toBeGreaterThan(4_000_000);
    // A batch (and the line that made it due) at most, not the whole output.
    expect(maxBuffered).toBeLessThan(fileChunkBytes + 1024);
  });

  it('rejects when the output fails', async () => {
    const failing = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('disk full'));
      },
    });
    const input = Array.from({ length: 5000 }, () => '{"a":"some text to fill the batch up quickly"}\n');
    await expect(maskStream({ format: 'jsonl', input: Readable.from(input), output: failing })).rejects.toThrow(
      'disk full',
    );
  });

  it('can leave the output open', async () => {
    const output = new Collector();
    await maskStream({ format: 'jsonl', input: bytes('{"a":1}\n'), output, end: false });
    expect(output.writableEnded).toBe(false);
  });
});

describe('scanStream', () => {
  it('counts findings per type and column for CSV and JSONL, writing nothing', async () => {
    const csv = await scanStream({ format: 'csv', input: bytes('a,b\nada@example.com,x\nbob@example.org,y\n') });
    expect(csv).toMatchObject({ format: 'csv', records: 2, findings: { EMAIL: 2 }, columns: { a: { EMAIL: 2 } } });
    expect(csv.labels).toEqual(expect.arrayContaining(['contact']));
    const jsonl = await scanStream({
      format: 'jsonl',
      input: bytes('{"u":{"m":"ada@example.com"}}\n{"u":[{"m":"x"}]}\n'),
    });
    expect(jsonl).toMatchObject({ records: 2, bytes: 48, findings: { EMAIL: 1 }, columns: { 'u.m': { EMAIL: 1 } } });
  });

  it('ignores masking rules: a scan reports what is there', async () => {
    const policy = parseMaskingPolicy('version: 1\ndefault: keep\n', { env: {} });
    const report = await scanStream({ format: 'jsonl', input: bytes('{"m":"ada@example.com"}\n'), policy });
    expect(report.findings).toEqual({ EMAIL: 1 });
  });

  it('scans plain text in overlapping windows, counting each finding once', async () => {
    const filler = `${'lorem ipsum dolor sit amet '.repeat(40)}\n`;
    let text = '';
    for (let i = 0; i < 2000; i++) text += `${filler}write to person${i}@example.com today\n`;
    for (const chunk of [64 * 1024, 1000, 7]) {
      const report = await scanStream({ format: 'text', input: bytes(text, chunk) });
      expect(report.findings).toEqual({ EMAIL: 2000 });
      expect(report.records).toBe(4000);
      expect(report.bytes).toBe(Buffer.byteLength(text));
    }
  });
});
