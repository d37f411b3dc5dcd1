import { isAsciiLetter, isDigit, isLowerLetter, isUpperLetter, isWordChar } from './characters.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';
import { ibanLengths, mod97 } from './validators.js';

/**
 * IBAN: a country code, two check digits and the country's BBAN, at exactly the registry length for that country
 * ({@link ibanLengths}) and with MOD 97-10 giving 1 — compact (`DE89370400440532013000`) or in the print form's
 * groups of four split by single spaces (`DE89 3704 0044 0532 0130 00`). Upper case as the standard writes it, or
 * wholly lower case (`de89 3704 …`, typed by hand); mixed case is refused, which keeps words that happen to start
 * a run of digits out. Score 0.95.
 */
export function ibanDetector(): IndexedDetector {
  return indexedDetector('IBAN', ['pii', 'financial'], ({ text, digitRuns: runs }, spans) => {
    for (let k = 0; k < runs.length; k += 2) {
      // Every IBAN's check digits are a run of digits right after the two letters of its country code.
      const start = runs[k]! - 2;
      // Two letters come before the check digits, so a run that ends in the two characters before cannot: the runs
      // rule out dates and times (`2024-06-01`, `18:10`) without reading the text, which costs more.
      if (runs[k + 1]! - runs[k]! < 2 || start < 0 || (k > 0 && runs[k - 1]! >= start)) continue;
      // The letter right before the digits is the rarest part: read it first.
      const second = text.charCodeAt(start + 1);
      if (!isAsciiLetter(second)) continue;
      const first = text.charCodeAt(start);
      const upper = isUpperLetter(first) && isUpperLetter(second);
      if (!upper && !(isLowerLetter(first) && isLowerLetter(second))) continue;
      if (isWordChar(text.charCodeAt(start - 1))) continue;
      const length = lengthByCountry[((first | 0x20) - 97) * 26 + ((second | 0x20) - 97)]!;
      if (length === 0) continue;
      const end = readIban(text, start, length, upper);
      if (end === -1) continue;
      spans.push({ type: 'IBAN', start, end, score: 0.95 });
      while (k + 2 < runs.length && runs[k + 2]! < end) k += 2;
    }
  });
}

/** {@link ibanLengths} indexed by the country code's letters (`A`=0 … `Z`=25) as `first * 26 + second`; 0: none. */
const lengthByCountry = new Uint8Array(26 * 26);
for (const [country, length] of Object.entries(ibanLengths)) {
  lengthByCountry[(country.charCodeAt(0) - 65) * 26 + (country.charCodeAt(1) - 65)] = length;
}

/** Where the IBAN of `length` characters that starts at `start` ends, or -1 when the text holds none there. */
function readIban(text: string, start: number, length: number, upper: boolean): number {
  // The shape is checked first, building no string: most candidates (`id12 …`, `ab12cd`) fail it.
  let count = 0;
  let position = start;
  let grouped = false;
  while (count < length) {
    // Grouped or not is settled after the first four characters; grouped means a single space after every four.
    if (grouped && count % 4 === 0) {
      if (text.charCodeAt(position) !== 32) return -1;
      position++;
    } else if (count === 4 && text.charCodeAt(position) === 32) {
      grouped = true;
      position++;
    }
    const code = text.charCodeAt(position);
    if (!isDigit(code) && !(upper ? isUpperLetter(code) : isLowerLetter(code))) return -1;
    count++;
    position++;
  }
  const after = text.charCodeAt(position);
  if (isWordChar(after)) return -1;
  const written = text.slice(start, position);
  const compact = grouped ? written.replaceAll(' ', '') : written;
  return mod97(upper ? compact : compact.toUpperCase()) === 1 ? position : -1;
}
