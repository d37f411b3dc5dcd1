import { coreBytes, coreFunction, reserve } from './scan-core.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';
import { ibanLengths } from './validators.js';

/**
 * IBAN: a country code, two check digits and the country's BBAN, at exactly the registry length for that country
 * ({@link ibanLengths}) and with MOD 97-10 giving 1 — compact (`DE89370400440532013000`) or in the print form's
 * groups of four split by single spaces (`DE89 3704 0044 0532 0130 00`). Upper case as the standard writes it, or
 * wholly lower case (`de89 3704 …`, typed by hand); mixed case is refused, which keeps words that happen to start
 * a run of digits out. Score 0.95.
 */
export function ibanDetector(): IndexedDetector {
  return indexedDetector('IBAN', ['pii', 'financial'], (index, spans) => {
    const lengths = lengthTable();
    const { placed, runsAt, runCount } = index.placedRuns;
    const count = ibanFind(placed.textAt, placed.length, runsAt, runCount, lengths, placed.outAt);
    const found = placed.out;
    for (let i = 0; i < count; i += 2) spans.push({ type: 'IBAN', start: found[i]!, end: found[i + 1]!, score: 0.95 });
  });
}

/**
 * Walks the digit runs in the core (`assembly/iban.ts`): the country code before each, the shape after it and
 * MOD 97-10. Returns how many integers it wrote to `out`: `[start, end)` of each IBAN.
 */
const ibanFind =
  coreFunction<(text: number, length: number, runs: number, runCount: number, lengths: number, out: number) => number>(
    'ibanFind',
  );

let lengthsAt = -1;

/**
 * {@link ibanLengths} in the core's memory, written at first use: indexed by the country code's letters (`A`=0 …
 * `Z`=25) as `first * 26 + second`; 0: none.
 */
function lengthTable(): number {
  if (lengthsAt !== -1) return lengthsAt;
  const at = reserve(26 * 26);
  const table = coreBytes().subarray(at, at + 26 * 26);
  for (const [country, length] of Object.entries(ibanLengths)) {
    table[(country.charCodeAt(0) - 65) * 26 + (country.charCodeAt(1) - 65)] = length;
  }
  lengthsAt = at;
  return at;
}
