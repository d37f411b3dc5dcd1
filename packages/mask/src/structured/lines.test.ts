import { describe, expect, it } from 'vitest';
import { MaskError } from '../errors.js';
import { isBlank, LineSplitter } from './lines.js';

function split(chunks: ReadonlyArray<string | Uint8Array>): string[] {
  const splitter = new LineSplitter();
  const lines = chunks.flatMap((chunk) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  const last = splitter.end();
  return last === undefined ? lines : [...lines, last];
}

/** Every byte of `text`'s UTF-8 as its own chunk. */
function byteChunks(text: string): Uint8Array[] {
  return [...Buffer.from(text)].map((byte) => Uint8Array.of(byte));
}

describe('LineSplitter', () => {
  it("gives each line's bytes, without its line end or a BOM, whichever chunks it came in", () => {
    const text = '\ufeff{"a":"Zoë"}\r\n\n{"b":"中文 🔐"}\n{"c":1}';
    for (const chunks of [[Buffer.from(text)], byteChunks(text)]) {
      const splitter = new LineSplitter();
      const bytes: Buffer[] = [];
      const lines = chunks.flatMap((chunk) => splitter.push(chunk, bytes));
      lines.push(splitter.end(bytes)!);
      expect(lines).toEqual(['{"a":"Zoë"}', '', '{"b":"中文 🔐"}', '{"c":1}']);
      expect(bytes.map((line) => line.toString('utf8'))).toEqual(lines);
    }
  });

  it('keeps a partial line until the next chunk completes it', () => {
    expect(split(['{"a":', '1}\n{"b"', ':2}\n{"c":3}'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('gives the same lines for 1-byte chunks, characters split across them too, and strips CR', () => {
    const text = 'one\r\ntwo €5\n\nZoë 中文 🔐\r\n';
    expect(split(byteChunks(text))).toEqual(['one', 'two €5', '', 'Zoë 中文 🔐']);
    expect(split([text])).toEqual(['one', 'two €5', '', 'Zoë 中文 🔐']);
  });

  it('reads invalid UTF-8 as the whole input decoded at once would', () => {
    const bytes = Buffer.from([0x61, 0xe2, 0x82, 0x0a, 0xff, 0x62, 0x0a, 0xc3]);
    const expected = bytes.toString('utf8').split('\n');
    expect(split([bytes])).toEqual(expected);
    expect(split([...bytes].map((byte) => Uint8Array.of(byte)))).toEqual(expected);
  });

  it('drops a BOM before the first line only, also when split across chunks', () => {
    const text = '\uFEFF{"a":1}\n\uFEFF{"b":2}\n';
    expect(split([text])).toEqual(['{"a":1}', '\uFEFF{"b":2}']);
    expect(split(byteChunks(text))).toEqual(['{"a":1}', '\uFEFF{"b":2}']);
    expect(split(['\uFEFF'])).toEqual(['']);
  });

  it('does not keep a view of a buffer the input may reuse', () => {
    const splitter = new LineSplitter();
    const reused = Buffer.from('{"a":');
    splitter.push(reused);
    reused.write('XXXXX');
    expect(splitter.push(Buffer.from('1}\n'))).toEqual(['{"a":1}']);
  });

  it('counts lines, blank ones included', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from('a\n\nb\nc'));
    expect(splitter.lineNumber).toBe(3);
    splitter.end();
    expect(splitter.lineNumber).toBe(4);
  });

  it('refuses a line longer than the limit', () => {
    const splitter = new LineSplitter(100);
    expect(() => {
      for (let i = 0; i < 20; i++) splitter.push(Buffer.from('xxxxxxxxxx'));
    }).toThrow(MaskError);
  });

  it('joins a long line spread over many chunks in linear time', () => {
    const splitter = new LineSplitter();
    const chunk = Buffer.from('0123456789');
    for (let i = 0; i < 200_000; i++) splitter.push(chunk);
    expect(splitter.push(Buffer.from('\n'))[0]).toHaveLength(2_000_000);
  }, 5_000);
});

describe('isBlank', () => {
  it.each([
    ['', true],
    ['  \t', true],
    ['{}', false],
    [' {}', false],
  ])('%j → %s', (line, blank) => {
    expect(isBlank(line)).toBe(blank);
  });
});
