import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coreBytes } from './scan-core.js';
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

  it('finds runs at every place in the sixteen-unit groups the core reads at once, and in the units after them', () => {
    for (let at = 0; at < 36; at++) {
      for (let length = 1; length < 36; length++) {
        const text = `${'x'.repeat(at)}${'5'.repeat(length)}${'y'.repeat(36 - at)}`;
        expect(runs(text), `${at}+${length}`).toEqual([at, at + length]);
      }
    }
  });

  it('takes no code unit beyond one byte for a digit in any lane, however it narrows', () => {
    // Narrowed to bytes with saturation, 0x0130 becomes 0xff and 0x8030 (negative as a signed 16-bit unit) 0x00:
    // neither may read as the digit its low byte is.
    for (const lookalike of ['İ', 'Ĺ', '耰', 'Ｕ', 'Ȱ']) {
      for (let at = 0; at < 40; at++) {
        const text = `${'5'.repeat(at)}${lookalike}${'7'.repeat(40 - at)}`;
        expect(runs(text), `${lookalike.charCodeAt(0).toString(16)} at ${at}`).toEqual(runsByRegex(text));
      }
    }
  });

  it('reads long texts whole, and each index its own text when several are in use', () => {
    const long = `${'a'.repeat(70_001)}1234567890${'b'.repeat(65_536)}${'9'.repeat(65_539)}x5`;
    const short = 'x 42 y';
    const first = new TextIndex(long);
    const second = new TextIndex(short);
    expect(Array.from(second.digitRuns)).toEqual([2, 4]);
    expect(Array.from(first.digitRuns)).toEqual(runsByRegex(long));
    expect(Array.from(new TextIndex('8'.repeat(200_001)).digitRuns)).toEqual([0, 200_001]);
    expect(Array.from(second.digitRuns)).toEqual([2, 4]);
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

  it('keeps the runs in the core’s memory for its passes, copied back after another text was placed', () => {
    const runsInCore = (index: TextIndex) => {
      const { runsAt, runCount } = index.placedRuns;
      return Array.from(new Int32Array(coreBytes().buffer, runsAt, runCount));
    };
    const first = new TextIndex('a 12 b 345');
    expect(runsInCore(first)).toEqual([2, 4, 7, 10]);
    const second = new TextIndex('9 9 9 9 9 9 9 9 9');
    expect(runsInCore(second)).toEqual(runsByRegex('9 9 9 9 9 9 9 9 9'));
    expect(runsInCore(first)).toEqual([2, 4, 7, 10]);
    expect(first.placedRuns.placed.length).toBe(10);
  });
});
