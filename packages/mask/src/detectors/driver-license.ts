import { isDigit, isUpperLetter, isWordChar } from './characters.js';
import { hasCueBefore } from './cues.js';
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
  return indexedDetector('US_DRIVER_LICENSE', ['pii', 'government_id'], ({ text, digitRuns: runs }, spans) => {
    for (let k = 0; k < runs.length; k += 2) {
      // Cheap first: a single run must hold 5–13 digits to be any of the shapes.
      const length = runs[k + 1]! - runs[k]!;
      const next = text.charCodeAt(runs[k + 1]!);
      const grouped = (next === 45 || next === 32) && runs[k + 2] === runs[k + 1]! + 1;
      if (!grouped && (length < 5 || length > 13)) continue;
      const id = readIdNumber(text, runs, k, true);
      if (id === undefined) continue;
      if (isLicenseShaped(id.letters, id.digits, id.groups) && hasCueBefore(text, id.start, licenseCue)) {
        spans.push({ type: 'US_DRIVER_LICENSE', start: id.start, end: id.end, score: 0.75 });
      }
      k = id.lastRun;
    }
    for (let at = text.indexOf('WDL'); at !== -1; at = text.indexOf('WDL', at + 3)) {
      if (isWashingtonLicense(text, at) && hasCueBefore(text, at, licenseCue)) {
        spans.push({ type: 'US_DRIVER_LICENSE', start: at, end: at + 12, score: 0.75 });
      }
    }
  });
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
