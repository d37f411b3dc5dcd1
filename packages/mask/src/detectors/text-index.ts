import type { Detector, Span } from '../types.js';

/**
 * What the built-in detectors share about one text, computed once per scan and only when first asked for: most of
 * them start from the text's digit runs, and one pass finds those far faster than each detector could alone.
 */
export class TextIndex {
  readonly text: string;
  #digitRuns: number[] | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /** Maximal runs of ASCII digits as flat `[start, end)` pairs: `[s0, e0, s1, e1, …]`, in order. */
  get digitRuns(): readonly number[] {
    this.#digitRuns ??= findDigitRuns(this.text);
    return this.#digitRuns;
  }
}

/** A built-in detector that can work from a shared {@link TextIndex}; its `detect` builds one of its own. */
export interface IndexedDetector extends Detector {
  detectIn(index: TextIndex, spans: Span[]): void;
}

export function isIndexedDetector(detector: Detector): detector is IndexedDetector {
  return typeof (detector as Partial<IndexedDetector>).detectIn === 'function';
}

/** Wraps `detectIn` into a frozen detector whose plain `detect` indexes the text itself. */
export function indexedDetector(
  type: IndexedDetector['type'],
  labels: IndexedDetector['labels'],
  detectIn: (index: TextIndex, spans: Span[]) => void,
): IndexedDetector {
  return Object.freeze({
    type,
    labels,
    detectIn,
    detect(text: string, spans: Span[]): void {
      detectIn(new TextIndex(text), spans);
    },
  });
}

/** How many characters {@link findDigitRuns} reads into {@link runBounds} before copying the bounds out. */
const chunkLength = 16_384;

/**
 * Where runs start and end in the chunk being read: a packed array of small integers (`Array.from`, not a holey
 * `new Array`), so that copying a chunk's bounds out is a block copy and gives the detectors a packed array too.
 */
const runBounds: number[] = Array.from({ length: chunkLength + 1 }, () => 0);

function findDigitRuns(text: string): number[] {
  let runs: number[] | undefined;
  // Later chunks' bounds, joined to the first chunk's by one `concat` at the end: pushing each chunk's onto the
  // first copied the whole list again each time it grew, which on a 200,000-character text cost as much again as
  // finding the runs.
  let more: number[][] | undefined;
  let inRun = 0;
  for (let from = 0; from < text.length; from += chunkLength) {
    const to = Math.min(text.length, from + chunkLength);
    // Branch-free: every character writes its position at `count`, and only a change between digit and non-digit
    // moves `count` on, so starts and ends land in turn. Digit runs are short and frequent in JSONL (ids, dates,
    // amounts), and a loop or a regex that branches at each one loses more to mispredictions than this spends.
    let count = 0;
    for (let i = from; i < to; i++) {
      const code = text.charCodeAt(i);
      // 1 for '0'–'9': both differences are non-negative only then, so the sign bit of their `|` is clear.
      const digit = (((code - 48) | (57 - code)) >>> 31) ^ 1;
      runBounds[count] = i;
      count += digit ^ inRun;
      inRun = digit;
    }
    if (to === text.length && inRun === 1) runBounds[count++] = to;
    if (runs === undefined) runs = runBounds.slice(0, count);
    else if (count > 0) {
      more ??= [];
      more.push(runBounds.slice(0, count));
    }
  }
  if (runs === undefined) return [];
  return more === undefined ? runs : runs.concat(...more);
}
