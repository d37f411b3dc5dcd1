import type { Detector, Span } from '../types.js';
import { findDigitRuns, type Placed, place } from './scan-core.js';

/**
 * What the built-in detectors share about one text, computed once per scan and only when first asked for: most of
 * them start from the text's digit runs, and one pass finds those far faster than each detector could alone.
 */
export class TextIndex {
  readonly text: string;
  #digitRuns: DigitRuns | undefined;
  /** The placement whose room for digit runs holds them. */
  #runsPlaced: Placed | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /** Maximal runs of ASCII digits as flat `[start, end)` pairs: `[s0, e0, s1, e1, …]`, in order. */
  get digitRuns(): DigitRuns {
    if (this.#digitRuns === undefined) {
      const placed = this.placed;
      this.#digitRuns = findDigitRuns(placed);
      this.#runsPlaced = placed;
    }
    return this.#digitRuns;
  }

  /**
   * The placed text with its digit runs in the core's memory too, for a pass that walks them (`runCount`
   * integers at `runsAt`). When another text was placed since they were found, they are copied back.
   */
  get placedRuns(): PlacedRuns {
    const runs = this.digitRuns;
    const placed = this.placed;
    if (this.#runsPlaced !== placed) {
      placed.runs.set(runs);
      this.#runsPlaced = placed;
    }
    return { placed, runsAt: placed.runsAt, runCount: runs.length };
  }

  /** The text in the compiled core's memory, copied there when first asked for (see `scan-core.ts`). */
  get placed(): Placed {
    return place(this, this.text);
  }
}

/** A scan's placed text with its digit runs in the core's memory (see {@link TextIndex.placedRuns}). */
export interface PlacedRuns {
  readonly placed: Placed;
  /** Address of the runs, flat `[start, end)` pairs as {@link TextIndex.digitRuns}. */
  readonly runsAt: number;
  /** How many integers the runs are: twice the number of runs. */
  readonly runCount: number;
}

/** Digit runs as `[start, end)` pairs; only read, never written, by the detectors. */
export type DigitRuns = Int32Array;

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
