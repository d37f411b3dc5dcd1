import { isDigit, isUpperLetter, isWordChar } from './characters.js';
import {
  cueWindowStart,
  cueZones,
  firstRunFrom,
  foldedAt,
  hasCueBefore,
  hasCueLetter,
  mayHaveCueBefore,
} from './cues.js';
import { readIdNumber } from './id-numbers.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';

const licenseCue =
  /(?:\b(?:driver(?:'s|’s|s)?|driving)[\s-]*licen[cs]e|\bd\.?l\b|\blicen[cs]e\s*(?:no|num|number|#)|\blic\.?\s*(?:no|#))/i;

/**
 * US_DRIVER_LICENSE: the common state shapes — a letter and 6–13 digits (CA `A1234567`, FL, IL, MI, MN, WI), two
 * letters and 5–8 digits, 7–12 digits (NY, TX, PA, …), 7–13 digits in dash- or space-split groups with an optional
 * leading letter (FL `W426-545-30-761-0`, IL `A123-4567-8901`), and Washington's `WDL` with nine letters or digits
 * — only after a cue (driver's license, driver licence, driving licence, DL, DL#, license no.) within 40
 * characters. Score 0.75.
 */
export function driverLicenseDetector(): IndexedDetector {
  return indexedDetector('US_DRIVER_LICENSE', ['pii', 'government_id'], (index, spans) => {
    const { text } = index;
    // A licence needs a cue within 40 characters before it, and most texts have none: find where one may be first,
    // then look only at the numbers there.
    const zones = cueZones(text, licenseMark, 4);
    if (zones.length === 0) return;
    const runs = index.digitRuns;
    let k = 0;
    for (let zone = 0; zone < zones.length; zone += 2) {
      // A number's digits start at most two letters after the number. A zone may begin inside a dash- or
      // space-split number: `readIdNumber` refuses its later runs (after `-` or a space and a digit), as the walk
      // over every run would never have asked about them.
      const to = zones[zone + 1]! + 2;
      for (k = firstRunFrom(runs, zones[zone]!, k); k < runs.length && runs[k]! < to; k += 2) {
        // Cheap first: a single run must hold 5–13 digits to be any of the shapes, or be split by `-` or a space.
        const length = runs[k + 1]! - runs[k]!;
        if (length < 5 || length > 13) {
          if (runs[k + 2] !== runs[k + 1]! + 1) continue;
          const next = text.charCodeAt(runs[k + 1]!);
          if (next !== 45 && next !== 32) continue;
        }
        const id = readIdNumber(text, runs, k, true);
        if (id === undefined) continue;
        if (
          isLicenseShaped(id.letters, id.digits, id.groups) &&
          hasLicenseCue(text, cueWindowStart(runs, k, id.start), id.start)
        ) {
          spans.push({ type: 'US_DRIVER_LICENSE', start: id.start, end: id.end, score: 0.75 });
        }
        k = id.lastRun;
      }
    }
    for (let at = text.indexOf('WDL'); at !== -1; at = text.indexOf('WDL', at + 3)) {
      if (
        isWashingtonLicense(text, at) &&
        mayHaveCueBefore(text, at, isLicenseCueLetter) &&
        hasCueBefore(text, at, licenseCue)
      ) {
        spans.push({ type: 'US_DRIVER_LICENSE', start: at, end: at + 12, score: 0.75 });
      }
    }
  });
}

/**
 * Inside every licence cue, in any case: "lic" and the character after it (licen[cs]e, lic., lic #, lic no), or
 * "dl"/"d.l" before a word boundary. The boundary holds on the whole text as on the window before a number,
 * which never ends on a word character.
 */
const licenseMark = /d\.?l\b|lic[\s.#ne]/gi;

/** Whether a licence cue stands before `start` (its window begins at `from`); most numbers have none. */
function hasLicenseCue(text: string, from: number, start: number): boolean {
  return hasCueLetter(text, from, start, isLicenseCueLetter) && hasCueBefore(text, start, licenseCue);
}

/** A letter every licence cue holds, in any case: the `l` of lic(ence) and lic(ense), d.l and dl. */
function isLicenseCueLetter(text: string, i: number): boolean {
  if (foldedAt(text, i) !== 108) return false;
  const before = foldedAt(text, i - 1);
  if (before === 100 || (before === 46 && foldedAt(text, i - 2) === 100)) return true;
  return foldedAt(text, i + 1) === 105 && foldedAt(text, i + 2) === 99;
}

function isLicenseShaped(letters: number, digits: number, groups: number): boolean {
  if (groups > 1) return letters <= 1 && digits >= 7 && digits <= 13;
  if (letters === 0) return digits >= 7 && digits <= 12;
  if (letters === 1) return digits >= 6 && digits <= 13;
  return digits >= 5 && digits <= 8;
}

/** `WDL` and nine upper-case letters or digits, standing alone. */
function isWashingtonLicense(text: string, at: number): boolean {
  if (isWordChar(text.charCodeAt(at - 1)) || isWordChar(text.charCodeAt(at + 12))) return false;
  for (let i = at + 3; i < at + 12; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code) && !isUpperLetter(code)) return false;
  }
  return true;
}
