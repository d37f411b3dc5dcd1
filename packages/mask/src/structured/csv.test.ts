import { describe, expect, it } from 'vitest';
import { MaskError } from '../errors.js';
import { CsvReader, formatCsvRow } from './csv.js';

/** Reads `text` fed in chunks of `size` characters. */
function read(text: string, size = text.length || 1, options: ConstructorParameters<typeof CsvReader>[0] = {}) {
  const reader = new CsvReader(options);
  const rows: string[][] = [];
  for (let i = 0; i < text.length; i += size) rows.push(...reader.push(text.slice(i, i + size)));
  rows.push(...reader.end());
  return { rows, reader };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof MaskError) return error.code;
    throw error;
  }
  return undefined;
}

const tricky = 'id,note,amount\r\n1,"said ""hi"", then left",10\r\n2,"line one\r\nline two",20\r\n3,,\r\n';
const trickyRows = [
  ['id', 'note', 'amount'],
  ['1', 'said "hi", then left', '10'],
  ['2', 'line one\r\nline two', '20'],
  ['3', '', ''],
];

describe('CsvReader', () => {
  it('reads quoted fields, doubled quotes, CRLF and newlines inside quotes', () => {
    expect(read(tricky).rows).toEqual(trickyRows);
  });

  it.each([1, 2, 3, 5, 7, 16])('gives the same rows when fed %i characters at a time', (size) => {
    expect(read(tricky, size).rows).toEqual(trickyRows);
  });

  it('reads LF files and a last row without a line ending', () => {
    expect(read('a,b\n1,2\n3,4').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('reads a CR split from its LF by a chunk boundary as one line ending', () => {
    const reader = new CsvReader();
    expect(reader.push('a,b\r')).toEqual([['a', 'b']]);
    expect(reader.push('\n1,2\r')).toEqual([['1', '2']]);
    expect(reader.push('\n')).toEqual([]);
    expect(reader.end()).toEqual([]);
    expect(reader.newline).toBe('\r\n');
  });

  it('strips a BOM and skips blank lines', () => {
    expect(read('\uFEFFname,age\n\nAda,36\n\r\n').rows).toEqual([
      ['name', 'age'],
      ['Ada', '36'],
    ]);
    expect(read('\uFEFFname\nAda\n', 1).rows).toEqual([['name'], ['Ada']]);
  });

  it('keeps a quoted field that holds only a quote, and empty quoted fields', () => {
    expect(read('a,b\n"""",""\n', 1).rows).toEqual([
      ['a', 'b'],
      ['"', ''],
    ]);
  });

  it('ends a row with an empty field after a trailing delimiter', () => {
    expect(read('a,b\n1,').rows).toEqual([
      ['a', 'b'],
      ['1', ''],
    ]);
  });

  it('takes another delimiter', () => {
    expect(read('a;b\n"x;y";2\n', 1, { delimiter: ';' }).rows).toEqual([
      ['a', 'b'],
      ['x;y', '2'],
    ]);
    expect(codeOf(() => new CsvReader({ delimiter: '"' }))).toBe('mask_input_invalid');
  });

  it('refuses a row with the wrong number of fields, naming its line', () => {
    try {
      read('a,b\n1,2\n"multi\nline",2\n1,2,3\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MaskError);
      expect((error as MaskError).code).toBe('mask_input_invalid');
      expect((error as MaskError).details).toMatchObject({ line: 5, fields: 3, expected: 2 });
      expect((error as MaskError).message).toContain('line 5');
    }
  });

  it('skips and counts ragged rows when asked to', () => {
    const { rows, reader } = read('a,b\n1\n1,2\n1,2,3\n', 1, { onInvalid: 'skip' });
    expect(rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(reader.invalid).toBe(2);
  });

  it('refuses an unterminated quote at the end', () => {
    expect(codeOf(() => read('a,b\n1,"open\n'))).toBe('mask_input_invalid');
  });

  it('refuses a quoted field longer than the limit instead of buffering it', () => {
    const reader = new CsvReader({ maxFieldLength: 1000 });
    reader.push('a\n"');
    const chunk = 'x'.repeat(300);
    expect(
      codeOf(() => {
        for (let i = 0; i < 10; i++) reader.push(chunk);
      }),
    ).toBe('mask_input_invalid');
  });

  it('refuses a 16 MiB quoted field by default', () => {
    const reader = new CsvReader();
    reader.push('a\n"');
    const chunk = 'x'.repeat(1024 * 1024);
    expect(
      codeOf(() => {
        for (let i = 0; i < 17; i++) reader.push(chunk);
      }),
    ).toBe('mask_input_invalid');
  });

  it('reads a long quoted field fed in many chunks in linear time', () => {
    const reader = new CsvReader();
    reader.push('a\n"');
    for (let i = 0; i < 20_000; i++) reader.push('xy\n"" ');
    const [row] = reader.push('"\n');
    expect(row?.[0]).toHaveLength(20_000 * 5);
  }, 5_000);
});

describe('formatCsvRow', () => {
  it('quotes only what needs it and doubles quotes', () => {
    expect(formatCsvRow(['a', 'b,c', 'say "hi"', 'x\ny', ''])).toBe('a,"b,c","say ""hi""","x\ny",');
    expect(formatCsvRow(['a;b', 'c,d'], ';')).toBe('"a;b";c,d');
  });

  it('round-trips through the reader', () => {
    const rows = [
      ['h1', 'h2'],
      ['"', 'a,\r\nb'],
      ['', ' x '],
    ];
    const text = rows.map((row) => formatCsvRow(row)).join('\r\n');
    expect(read(text, 1).rows).toEqual(rows);
  });
});
