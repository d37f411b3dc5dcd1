import { cueWindowStart, foldedAt, hasCueBefore, hasCueLetter } from './cues.js';
import { readIdNumber } from './id-numbers.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';

const passportCue = /\b(?:passport|passeport|reisepass|pasaporte)/i;

/**
 * US_PASSPORT: nine digits (`123456789`) or, for next-generation books, a letter and eight digits (`A12345678`),
 * only after a cue ("passport", "passport no.", "passport #") within 40 characters. Score 0.8.
 */
export function passportDetector(): IndexedDetector {
  return indexedDetector('US_PASSPORT', ['pii', 'government_id'], ({ text, digitRuns: runs }, spans) => {
    for (let k = 0; k < runs.length; k += 2) {
      const length = runs[k + 1]! - runs[k]!;
      if (length !== 8 && length !== 9) continue;
      const id = readIdNumber(text, runs, k, false);
      if (id === undefined || id.groups !== 1) continue;
      const shaped = (id.letters === 0 && id.digits === 9) || (id.letters === 1 && id.digits === 8);
      if (!shaped || !hasPassportCue(text, cueWindowStart(runs, k, id.start), id.start)) continue;
      spans.push({ type: 'US_PASSPORT', start: id.start, end: id.end, score: 0.8 });
    }
  });
}

/** Whether a passport cue stands before `start` (its window begins at `from`); most numbers have none. */
function hasPassportCue(text: string, from: number, start: number): boolean {
  return hasCueLetter(text, from, start, isPassportCueLetter) && hasCueBefore(text, start, passportCue);
}

/** A letter every passport cue holds, in any case: the `p` of pas(sport), pas(seport), pas(aporte), reisepas(s). */
function isPassportCueLetter(text: string, i: number): boolean {
  return foldedAt(text, i) === 112 && foldedAt(text, i + 1) === 97 && foldedAt(text, i + 2) === 115;
}
