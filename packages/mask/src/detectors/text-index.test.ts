import { describe, expect, it } from 'vitest';
import { TextIndex } from './text-index.js';

/** The runs as `[start, end)` pairs, found the plain way: the reference the index must agree with. */
function runsByRegex(text: string): number[] {
  return [...text.matchAll(/[0-9]+/g)].flatMap((match) => [match.index, match.index + match[0].length]);
}

describe('TextIndex.digitRuns', () => {
  it('gives maximal runs of ASCII digits as flat [start, end) pairs', () => {
    expect(new TextIndex('').digitRuns).toEqual([]);
    expect(new TextIndex('no digits').digitRuns).toEqual([]);
    expect(new TextIndex('7').digitRuns).toEqual([0, 1]);
    expect(new TextIndex('a12b345').digitRuns).toEqual([1, 3, 4, 7]);
    expect(new TextIndex('2024-06-01').digitRuns).toEqual([0, 4, 5, 7, 8, 10]);
  });

  it('counts only 0–9: not the characters next to them, nor other scripts’ digits', () => {
    expect(new TextIndex('/0:9/').digitRuns).toEqual([1, 2, 3, 4]);
    expect(new TextIndex('１٣5').digitRuns).toEqual([2, 3]);
  });

  it('finds runs that cross the boundaries of the chunks it reads the text in', () => {
    const text = `${'a'.repeat(16_380)}1234567890${'b'.repeat(16_380)}${'9'.repeat(16_400)}x${'5'.repeat(20)}`;
    expect(new TextIndex(text).digitRuns).toEqual(runsByRegex(text));
    const digits = '8'.repeat(40_000);
    expect(new TextIndex(digits).digitRuns).toEqual([0, 40_000]);
  });

  it('agrees with a regex on mixed text', () => {
    let text = '';
    for (let i = 0; i < 5_000; i++) text += `id ${i * 7919} at 2024-06-${(i % 28) + 1}T1${i % 10}:00Z; `;
    expect(new TextIndex(text).digitRuns).toEqual(runsByRegex(text));
  });
});
