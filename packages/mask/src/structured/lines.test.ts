import { describe, expect, it } from 'vitest';
import { MaskError } from '../errors.js';
import { isBlank, LineSplitter } from './lines.js';

function split(chunks: string[]): string[] {
  const splitter = new LineSplitter();
  const lines = chunks.flatMap((chunk) => splitter.push(chunk));
  const last = splitter.end();
  return last === undefined ? lines : [...lines, last];
}

describe('LineSplitter', () => {
  it('keeps a partial line until the next chunk completes it', () => {
    expect(split(['{"a":', '1}\n{"b"', ':2}\n{"c":3}'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('gives the same lines for 1-character chunks, and strips CR', () => {
    const text = 'one\r\ntwo\n\nthree\r\n';
    expect(split([...text])).toEqual(['one', 'two', '', 'three']);
  });

  it('counts lines, blank ones included', () => {
    const splitter = new LineSplitter();
    splitter.push('a\n\nb\nc');
    expect(splitter.lineNumber).toBe(3);
    splitter.end();
    expect(splitter.lineNumber).toBe(4);
  });

  it('refuses a line longer than the limit', () => {
    const splitter = new LineSplitter(100);
    expect(() => {
      for (let i = 0; i < 20; i++) splitter.push('xxxxxxxxxx');
    }).toThrow(MaskError);
  });

  it('joins a long line spread over many chunks in linear time', () => {
    const splitter = new LineSplitter();
    for (let i = 0; i < 200_000; i++) splitter.push('0123456789');
    expect(splitter.push('\n')[0]).toHaveLength(2_000_000);
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
