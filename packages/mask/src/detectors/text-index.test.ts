import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkLength } from './scan-core.js';
import { TextIndex } from './text-index.js';

/** The runs as `[start, end)` pairs, found the plain way: the reference the index must agree with. */
function runsByRegex(text: string): number[] {
  return [...text.matchAll(/[0-9]+/g)].flatMap((match) => [match.index, match.index + match[0].length]);
}

const runs = (text: string) => Array.from(new TextIndex(text).digitRuns);

describe('TextIndex.digitRuns', () => {
  it('gives maximal runs of ASCII digits as flat [start, end) pairs', () => {
    expect(runs('')).toEqual([]);
    expect(runs('no digits')).toEqual([]);
    expect(runs('7')).toEqual([0, 1]);
    expect(runs('a12b345')).toEqual([1, 3, 4, 7]);
    expect(runs('2024-06-01')).toEqual([0, 4, 5, 7, 8, 10]);
  });

  it('counts only 0–9: not the characters next to them, nor other scripts’ digits', () => {
    expect(runs('/0:9/')).toEqual([1, 2, 3, 4]);
    expect(runs('１٣5')).toEqual([2, 3]);
    // Code units whose low byte is a digit's, which a byte-wide reading would take for one.
    expect(runs('\u0130\u0131\u2030\u0139 8')).toEqual([5, 6]);
  });

  it('finds runs at every place in the eight-unit groups the core reads at once', () => {
    for (let at = 0; at < 20; at++) {
      for (let length = 1; length < 20; length++) {
        const text = `${'x'.repeat(at)}${'5'.repeat(length)}${'y'.repeat(20 - at)}`;
        expect(runs(text), `${at}+${length}`).toEqual([at, at + length]);
      }
    }
  });

  it('finds runs that cross, start at and end at the boundaries of the chunks the text is copied in', () => {
    for (const shift of [-9, -8, -1, 0, 1, 7, 8]) {
      const text = `${'a'.repeat(chunkLength + shift)}1234567890${'b'.repeat(chunkLength)}${'9'.repeat(chunkLength + 3)}x5`;
      expect(runs(text), String(shift)).toEqual(runsByRegex(text));
    }
    expect(runs('8'.repeat(chunkLength))).toEqual([0, chunkLength]);
    expect(runs('8'.repeat(3 * chunkLength + 1))).toEqual([0, 3 * chunkLength + 1]);
    expect(runs(`${'8'.repeat(chunkLength)}a`)).toEqual([0, chunkLength]);
    expect(runs(`${'a'.repeat(chunkLength)}8`)).toEqual([chunkLength, chunkLength + 1]);
  });

  it('agrees with a regex on mixed text', () => {
    let text = '';
    for (let i = 0; i < 5_000; i++) text += `id ${i * 7919} at 2024-06-${(i % 28) + 1}T1${i % 10}:00Z; `;
    expect(runs(text)).toEqual(runsByRegex(text));
  });

  it('agrees with a regex on any text, lone surrogates and other scripts included', () => {
    const unit = fc.constantFrom('0', '9', '5', 'a', '/', ':', ' ', '€', '\ud83d', '\ude00', '٣', '\u0130', '\uff10');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 200 }), (units) => {
        const text = units.join('');
        expect(runs(text)).toEqual(runsByRegex(text));
      }),
      { numRuns: 2_000 },
    );
  });
});
