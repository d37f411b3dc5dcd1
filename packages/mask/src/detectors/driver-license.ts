import { isDigit, isUpperLetter, isWordChar } from './characters.js';
import { findCueValues, hasCueBefore } from './cues.js';
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
    const values = findCueValues(index).license;
    for (let i = 0; i < values.length; i += 2) {
      const start = values[i]!;
      if (hasCueBefore(text, start, licenseCue)) {
        spans.push({ type: 'US_DRIVER_LICENSE', start, end: values[i + 1]!, score: 0.75 });
      }
    }
    // Rare enough that the cue regex alone is cheap.
    for (let at = text.indexOf('WDL'); at !== -1; at = text.indexOf('WDL', at + 3)) {
      if (isWashingtonLicense(text, at) && hasCueBefore(text, at, licenseCue)) {
        spans.push({ type: 'US_DRIVER_LICENSE', start: at, end: at + 12, score: 0.75 });
      }
    }
  });
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
